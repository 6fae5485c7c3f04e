/* Flash in RAM with flash's rules: erase to 0xFF, writes only clear bits. */
#include <string.h>

#include "tl_port.h"

static tl_port_flash_ram *ram_of(const tl_port_flash_class **ctx)
{
    return (tl_port_flash_ram *)(void *)ctx;
}

static int in_range(const tl_port_flash_ram *f, uint32_t off, size_t len)
{
    return off <= f->size && len <= f->size - off;
}

static uint32_t geometry(const tl_port_flash_class **ctx, uint32_t *sector_size)
{
    tl_port_flash_ram *f = ram_of(ctx);
    if (sector_size)
        *sector_size = f->sector_size;
    return f->size;
}

static int fread_(const tl_port_flash_class **ctx, uint32_t off, uint8_t *buf, size_t len)
{
    tl_port_flash_ram *f = ram_of(ctx);
    if (!buf || !in_range(f, off, len))
        return TL_PORT_ERR_ARG;
    memcpy(buf, f->mem + off, len);
    return TL_PORT_OK;
}

static int fwrite_(const tl_port_flash_class **ctx, uint32_t off, const uint8_t *buf,
                   size_t len)
{
    tl_port_flash_ram *f = ram_of(ctx);
    size_t i;
    if (!buf || !in_range(f, off, len))
        return TL_PORT_ERR_ARG;
    /* Real flash would silently AND the bits: refuse, so a test sees it. */
    for (i = 0; i < len; i++)
        if ((f->mem[off + i] & buf[i]) != buf[i])
            return TL_PORT_ERR_IO;
    memcpy(f->mem + off, buf, len);
    f->writes++;
    return TL_PORT_OK;
}

static int ferase(const tl_port_flash_class **ctx, uint32_t off)
{
    tl_port_flash_ram *f = ram_of(ctx);
    if (off >= f->size)
        return TL_PORT_ERR_ARG;
    off -= off % f->sector_size;
    memset(f->mem + off, 0xFF, f->sector_size);
    f->erases++;
    return TL_PORT_OK;
}

static const tl_port_flash_class flash_ram_class = { geometry, fread_, fwrite_, ferase };

void tl_port_flash_ram_init(tl_port_flash_ram *f, uint8_t *mem, uint32_t size,
                            uint32_t sector_size)
{
    f->vtable = &flash_ram_class;
    f->mem = mem;
    f->size = size - size % sector_size;
    f->sector_size = sector_size;
    f->writes = f->erases = 0;
    memset(mem, 0xFF, f->size);
}
