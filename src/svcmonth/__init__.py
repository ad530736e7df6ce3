"""svcmonth: the paperwork of a banking association's 文明优质服务月 publicity campaign."""

__version__ = "0.1.0"
