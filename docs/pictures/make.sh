#!/usr/bin/env bash
# Regenerates the README's pictures of the documents: a weekly 通报 and the 会员动态 digest,
# as Word writes them, rendered by LibreOffice the way a reader opens them.
# Needs: svcmonth importable (run from the repository: PYTHONPATH=src), LibreOffice (soffice),
# poppler-utils (pdftoppm), fonts-noto-cjk (the 公文 fonts fall back to Noto CJK).
# Usage: docs/pictures/make.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
here=docs/pictures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" SVCMONTH_DB="$work/demo.db" SVCMONTH_LANG=zh_CN
export SVCMONTH_NOW=2023-08-20T10:00:00+08:00 HOME="$work"
svc() { python -m svcmonth "$@" >/dev/null 2>&1; }

svc init
svc campaign new 2023服务月 --start 2023-07-11 --end 2023-08-11
svc campaign edit 2023服务月 --title 2023年银行业文明优质服务月
svc settings --association 某市银行业协会
svc member add ICBC 工商银行某市分行 --officer 王丽
svc member add ABC 农业银行某市分行 --officer 李强
svc member add BOC 中国银行某市分行 --officer 张敏
svc member add CCB 建设银行某市分行 --officer 赵刚
python - "$work" <<'PY'
import struct, sys, zlib
from pathlib import Path
import docx
work = Path(sys.argv[1])
d = docx.Document()
d.add_paragraph("温暖服务暖人心")
d.add_paragraph("七月以来，工商银行某市分行营业部开展“服务进社区”活动，组织员工走进社区为老年客户讲解"
                "防范电信诈骗知识，并为行动不便的客户上门办理社保卡激活等业务，受到居民好评。")
d.add_paragraph("下一步，该行将把上门服务做成常态，让金融服务更有温度。")
d.save(str(work / "article.docx"))
w, h = 320, 200
raw = b"".join(b"\x00" + bytes((200 - y // 2, 60 + y // 3, 60)) * w for y in range(h))
def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data))
(work / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                                 + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
sub() { python -m svcmonth submit "$@" 2>/dev/null; }
sub ICBC --column 活动扫描 --title 第一周活动扫描 --week 1 --at '2023-07-17 09:30' >/dev/null
sub ABC --column 活动扫描 --title 第一周活动扫描 --week 1 --at '2023-07-17 11:10' >/dev/null
sub BOC --column 活动扫描 --title 第一周活动扫描 --week 1 --at '2023-07-17 15:00' >/dev/null
a=$(sub ICBC --column 先进事迹 --title 温暖服务暖人心 --at '2023-07-13 10:00' \
    --attach "$work/article.docx" --attach "$work/photo.png")
b=$(sub ABC --column 学习体会 --title 以客户为中心的几点体会 --at '2023-07-14 16:00')
c=$(sub BOC --column 感动人物 --title 柜台前的“老朋友” --at '2023-07-15 09:00')
svc grade "$a" --level 3
svc grade "$b" --level 2
svc grade "$c" --level 2
svc adopt "$b" --outlet 中国银行业协会网站 --on 2023-07-16
svc forward "$c" --to 中国银行业协会 --on 2023-07-16

python -m svcmonth report bulletin --week 1 --as-of '2023-07-18 09:00' -f docx -o "$work/bulletin.docx" 2>/dev/null
python -m svcmonth report digest -f docx -o "$work/digest.docx" 2>/dev/null
(cd "$work" && soffice --headless --convert-to pdf bulletin.docx digest.docx >/dev/null 2>&1)
pdftoppm -png -r 48 -f 1 -l 1 -singlefile "$work/bulletin.pdf" "$here/bulletin"
pdftoppm -png -r 48 -f 1 -l 1 -singlefile "$work/digest.pdf" "$here/digest"
# the paste-safe HTML of the digest at a phone's width, as a 公众号 reader sees it
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$browser" ]; then
    python -m svcmonth report digest -f html -o "$work/digest.html" 2>/dev/null
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=390,1000 \
        --screenshot="$here/digest-phone.png" "file://$work/digest.html" >/dev/null 2>&1
fi
if command -v optipng >/dev/null 2>&1; then optipng -quiet -o5 "$here"/*.png; fi
ls -l "$here"/*.png
