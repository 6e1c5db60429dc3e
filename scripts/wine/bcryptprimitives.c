/* Test-only stand-in for bcryptprimitives.dll under Wine 8 (Debian
 * bookworm), which lacks it. Rust's std (1.78+) imports ProcessPrng from it
 * for HashMap seeds; every Windows 10/11 ships the real one. Built and used
 * only by scripts/package.sh's Wine smoke test, never shipped. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
