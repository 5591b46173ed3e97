/* SPDX-License-Identifier: MIT */
/*
 * Fixed physical and virtual addresses of the boot ABI, shared by stage1, the loader, the
 * kernel and tools/mkimage. Usable from C and from assembly.
 *
 * Physical (native, QEMU -bios):
 *   [4 GiB - image size, 4 GiB)  the flat image, read-only; its top 256 KiB hold the loader and
 *                                stage1 (reset vector at 0xFFFFFFF0), the image header sits just
 *                                below at IMAGE_HEADER_PHYS, kernel ELF and symbols below that.
 *   0x1000 .. 0x1fff             stage1's GDT (in RAM: this machine's KVM needs it there)
 *   0x8000 .. 0x8fff             the kernel's AP start trampoline (SIPI vector 0x08)
 *   0x10000 .. 0x16fff           stage1's page tables (7 pages)
 *   0x20000 .. 0x7ffff           loader data, bss and stack
 *   SVSM region                  chosen by the loader from the e820 map (default 16 MiB)
 *
 * Virtual, while the loader runs:
 *   PHYSMAP_VBASE + pa           every physical address below 4 GiB (2 MiB pages)
 *   LOWRAM_VBASE + pa            the first 1 GiB (the loader's own data lives here)
 *   ROM_VOFF + pa                the top 1 GiB, where the image is; the loader executes here
 *   pa (identity, below 4 GiB)   only for the few instructions that leave compatibility mode
 *
 * Virtual, in the kernel (page tables built by the loader):
 *   KERNEL_VBASE ..              the kernel image, W^X per ELF segment
 *   DIRECTMAP_VBASE + pa         SVSM region pages outside the kernel image (RW, NX)
 *   KSTACK_VBASE ..              kernel stacks, KSTACK_SLOT bytes apart, guard page below each
 *   KMAP_VBASE ..                device (MMIO) mappings
 */
#ifndef BOOT_LAYOUT_H
#define BOOT_LAYOUT_H

#ifdef __ASSEMBLY__
#define BOOT_UL(x) x
#else
#define BOOT_UL(x) x##ULL
#endif

#define PAGE_SIZE_4K	    BOOT_UL(0x1000)
#define PAGE_SIZE_2M	    BOOT_UL(0x200000)

#define IMAGE_TOP	    BOOT_UL(0x100000000)
#define IMAGE_ALIGN	    BOOT_UL(0x10000) /* QEMU requires -bios sizes in 64 KiB units */
#define LOADER_ROM_SIZE	    BOOT_UL(0x40000)
#define LOADER_ROM_BASE	    (IMAGE_TOP - LOADER_ROM_SIZE)
#define IMAGE_HEADER_PHYS   (LOADER_ROM_BASE - PAGE_SIZE_4K)
#define STAGE1_PHYS	    (IMAGE_TOP - PAGE_SIZE_4K)

#define STAGE1_GDT_PHYS	    BOOT_UL(0x1000)
#define SMP_TRAMPOLINE_PHYS BOOT_UL(0x8000)
#define STAGE1_PT_PHYS	    BOOT_UL(0x10000)
#define STAGE1_PT_PAGES	    7
#define LOADER_RAM_PHYS	    BOOT_UL(0x20000)
#define LOADER_RAM_END	    BOOT_UL(0x80000)
#define LOW_MEMORY_END	    BOOT_UL(0x100000) /* the SVSM region never starts below 1 MiB */

#define PHYSMAP_VBASE	    BOOT_UL(0xFFFF800000000000)
#define LOWRAM_VBASE	    BOOT_UL(0xFFFFFFFF80000000)
#define ROM_VOFF	    BOOT_UL(0xFFFFFFFF00000000)

#define KERNEL_VBASE	    BOOT_UL(0xFFFFFFFF80000000)
#define KERNEL_MAX_SIZE	    BOOT_UL(0x4000000) /* 64 MiB */
#define DIRECTMAP_VBASE	    BOOT_UL(0xFFFF800000000000)
#define KSTACK_VBASE	    BOOT_UL(0xFFFFFF0000000000)
#define KSTACK_SLOT	    BOOT_UL(0x10000) /* 64 KiB per slot: guard page, stack, unmapped rest */
#define KSTACK_SLOTS	    BOOT_UL(4096)
#define KSTACK_SIZE	    BOOT_UL(0x4000) /* 16 KiB */
#define KMAP_VBASE	    BOOT_UL(0xFFFFFE0000000000)
#define KMAP_SIZE	    BOOT_UL(0x40000000)

#define SVSM_REGION_SIZE    BOOT_UL(0x1000000) /* 16 MiB */
#define SVSM_REGION_ALIGN   PAGE_SIZE_2M

#endif
