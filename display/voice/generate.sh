#!/bin/sh
# Generates the offline voice of the lobby display: one short WAV clip
# (16 kHz, mono, 16-bit, silence trimmed) per word, letter and fixed phrase
# of a call (DOMAIN.md, "How a call is spoken"), and clips.json, the index
# the display reads (word -> file and duration in seconds).
#
# Needs espeak-ng and sox (Debian: apt-get install -y espeak-ng sox).
# Run from the display package: go generate ./display/
set -eu
cd "$(dirname "$0")"
command -v espeak-ng >/dev/null || { echo "generate.sh: needs espeak-ng (apt-get install -y espeak-ng)" >&2; exit 1; }
command -v sox >/dev/null || { echo "generate.sh: needs sox (apt-get install -y sox)" >&2; exit 1; }

out=clips
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"

# key|file|what espeak-ng reads
words='nomor antrean|nomor-antrean|nomor antrean
silakan menuju|silakan-menuju|silakan menuju
loket|loket|loket
meja|meja|meja
ruang|ruang|ruang
pos|pos|pos
nol|nol|nol
satu|satu|satu
dua|dua|dua
tiga|tiga|tiga
empat|empat|empat
lima|lima|lima
enam|enam|enam
tujuh|tujuh|tujuh
delapan|delapan|delapan
sembilan|sembilan|sembilan
sepuluh|sepuluh|sepuluh
sebelas|sebelas|sebelas
belas|belas|belas
puluh|puluh|puluh
seratus|seratus|seratus
ratus|ratus|ratus
seribu|seribu|seribu
ribu|ribu|ribu
minus|minus|minus
dukcapil|dukcapil|dukcapil
imigrasi|imigrasi|imigrasi
samsat|samsat|samsat
polres|polres|polres
kesehatan|kesehatan|kesehatan
ketenagakerjaan|ketenagakerjaan|ketenagakerjaan
pajak|pajak|pajak
kemenag|kemenag|kemenag
A|huruf-a|a
B|huruf-b|be
C|huruf-c|ce
D|huruf-d|de
E|huruf-e|e
F|huruf-f|ef
G|huruf-g|ge
H|huruf-h|ha
I|huruf-i|i
J|huruf-j|je
K|huruf-k|ka
L|huruf-l|el
M|huruf-m|em
N|huruf-n|en
O|huruf-o|o
P|huruf-p|pe
Q|huruf-q|ki
R|huruf-r|er
S|huruf-s|es
T|huruf-t|te
U|huruf-u|u
V|huruf-v|fe
W|huruf-w|we
X|huruf-x|eks
Y|huruf-y|ye
Z|huruf-z|zet'

sep=""
echo "$words" | while IFS='|' read -r key file text; do
	espeak-ng -v id -s 140 -p 45 -w "$tmp/raw.wav" "$text"
	# Trim leading and trailing silence, normalise, resample to 16 kHz mono.
	sox -R -D "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$out/$file.wav" \
		silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse norm -1
	dur=$(soxi -D "$out/$file.wav")
	printf '%s\n  "%s": {"file": "%s.wav", "dur": %.3f}' "$sep" "$key" "$file" "$dur"
	sep=","
done > "$tmp/entries"
{ echo "{"; sed '1{/^$/d}' "$tmp/entries"; echo; echo "}"; } > clips.json
echo "generate.sh: $(ls "$out" | wc -l) clips, $(du -sk "$out" | cut -f1) KiB"
