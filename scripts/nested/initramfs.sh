# Sourced by with-kvm.sh: find Debian's kernel and build (once) the initramfs that boots it.

# Modules the nested VM loads, in this order, with their dependencies resolved from
# modules.dep: virtio-9p to reach the host's files, then KVM for AMD SVM.
nested_modules=(virtio_pci 9pnet_virtio 9p kvm-amd)

# The newest /boot/vmlinuz-* whose modules are installed.
nested_kernel_version() {
    local v
    for v in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -Vr); do
        [ -r "/boot/vmlinuz-$v" ] && [ -f "/lib/modules/$v/modules.dep" ] && { echo "$v"; return 0; }
    done
    return 1
}

# Prints the dependency-ordered .ko paths (relative to /lib/modules/VER) for one module.
nested_module_closure() {
    local kver=$1 name=$2 line path deps dep
    line=$(grep -E "/${name//-/[-_]}\.ko(\.[a-z]+)?:" "/lib/modules/$kver/modules.dep") ||
        { echo "with-kvm: module $name not found for kernel $kver" >&2; return 1; }
    path=${line%%:*}
    deps=${line#*:}
    # modules.dep lists dependencies nearest first; load the farthest first.
    for dep in $(echo $deps | tr ' ' '\n' | tac); do echo "$dep"; done
    echo "$path"
}

# Builds the initramfs for kernel VER with INIT as /init, cached by content; prints its path.
nested_initramfs() {
    local kver=$1 init=$2 cache key out work m ko
    cache=${COCOON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cocoon}/nested
    key=$( { echo "$kver ${nested_modules[*]}"; cat "$init" "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16)
    out=$cache/initramfs-$kver-$key.cpio
    if [ -s "$out" ]; then echo "$out"; return 0; fi

    # busybox-static's binary: the initramfs has no shared libraries.
    local busybox=/bin/busybox
    [ -x "$busybox" ] || { echo "with-kvm: $busybox not found: run scripts/setup.sh (busybox-static)" >&2; return 1; }
    mkdir -p "$cache"
    work=$(mktemp -d)
    mkdir -p "$work"/{bin,dev,proc,sys,host,ctl,lib/modules}
    cp "$busybox" "$work/bin/busybox"
    cp "$init" "$work/init"
    chmod +x "$work/init"
    : > "$work/modules.order"
    for m in "${nested_modules[@]}"; do
        nested_module_closure "$kver" "$m" > "$work/closure" || { rm -rf "$work"; return 1; }
        while read -r ko; do
            grep -qx "$ko" "$work/modules.order" && continue
            mkdir -p "$work/lib/modules/$(dirname "$ko")"
            cp "/lib/modules/$kver/$ko" "$work/lib/modules/$ko"
            echo "$ko" >> "$work/modules.order"
        done < "$work/closure"
    done
    rm "$work/closure"
    # Uncompressed: unpacking costs less than decompressing under software emulation.
    (cd "$work" && find . | cpio -o -H newc --quiet) > "$out.tmp" && mv "$out.tmp" "$out"
    rm -rf "$work"
    echo "$out"
}
