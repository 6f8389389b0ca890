#!/usr/bin/env bash
# linux-guest.sh [OUT_DIR]: build a Linux guest for cocoon from Debian's packages only:
#   OUT_DIR/vmlinux      the PVH ELF inside the installed /boot/vmlinuz (Debian's 6.1)
#   OUT_DIR/init.cpio    a busybox initramfs that loads Debian's virtio-mmio and
#                        virtio-blk modules and gives a shell (scripts/linux/init.sh;
#                        the tests' scenarios in scripts/linux/scenarios/, their
#                        module from scripts/linux/modules/)
# (default OUT_DIR: build/linux). Boot it with
#   cocoon run --kernel build/linux/vmlinux --initrd build/linux/init.cpio --mem 256M \
#       --cmdline 'console=ttyS0 reboot=k panic=-1'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-build/linux}
scripts/setup.sh
source scripts/nested/initramfs.sh
kver=$(nested_kernel_version) || { echo "linux-guest: no /boot/vmlinuz-* with its modules" >&2; exit 1; }
mkdir -p "$out"

# bzImage -> vmlinux: Debian compresses with xz; the payload starts at the first xz
# stream magic, and what follows the stream is not part of it.
if [ ! -s "$out/vmlinux" ] || [ "/boot/vmlinuz-$kver" -nt "$out/vmlinux" ]; then
    offset=$(grep -abo $'\xfd7zXZ\x00' "/boot/vmlinuz-$kver" | head -1 | cut -d: -f1)
    [ -n "$offset" ] || { echo "linux-guest: no xz payload in /boot/vmlinuz-$kver" >&2; exit 1; }
    tail -c +$((offset + 1)) "/boot/vmlinuz-$kver" | xz -dc --single-stream > "$out/vmlinux.tmp" 2>/dev/null || true
    head -c 4 "$out/vmlinux.tmp" | grep -q ELF || { echo "linux-guest: the payload is not an ELF" >&2; exit 1; }
    mv "$out/vmlinux.tmp" "$out/vmlinux"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,lib/modules}
cp /bin/busybox "$work/bin/busybox"
cp scripts/linux/init.sh "$work/init"
chmod +x "$work/init"
cp -r scripts/linux/scenarios "$work/scenarios"
: > "$work/modules.order"
for m in virtio_mmio virtio_blk; do
    nested_module_closure "$kver" "$m" | while read -r ko; do
        grep -qx "$ko" "$work/modules.order" && continue
        mkdir -p "$work/lib/modules/$(dirname "$ko")"
        cp "/lib/modules/$kver/$ko" "$work/lib/modules/$ko"
        echo "$ko" >> "$work/modules.order"
    done
done
# The tests' module (scripts/linux/modules/), built against Debian's headers for this
# kernel, in /lib/modules/extra: a scenario loads it, the boot does not.
headers=/lib/modules/$kver/build
[ -d "$headers" ] || { echo "linux-guest: no headers for Linux $kver ($headers): install linux-headers-amd64" >&2; exit 1; }
module_build=$work/module-build  # removed before the archive is made
mkdir "$module_build"
cp scripts/linux/modules/*.c "$module_build/"
(cd "$module_build" && for c in *.c; do echo "obj-m += ${c%.c}.o"; done > Kbuild)
make -s -C "$headers" M="$module_build" modules > "$module_build/build.log" 2>&1 ||
    { cat "$module_build/build.log" >&2; exit 1; }
mkdir -p "$work/lib/modules/extra"
cp "$module_build"/*.ko "$work/lib/modules/extra/"
rm -rf "$module_build"
(cd "$work" && find . | cpio -o -H newc --quiet) > "$out/init.cpio"
echo "linux-guest: $out/vmlinux (Linux $kver) and $out/init.cpio ($(wc -l < "$work/modules.order") modules)"
