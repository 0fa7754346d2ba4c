/*
 * tchar.h — generic-text names for w32ipc's windows.h: _T("..."), _TCHAR, _tmain and the _t*
 * string functions map to the char versions, or with UNICODE/_UNICODE defined to the 16-bit WCHAR
 * versions.
 *
 * Linux's C library has no UTF-16 string functions (its wchar_t functions assume 32-bit wchar_t,
 * which -fshort-wchar changes), so in a UNICODE build only the functions kernel32 provides are mapped
 * here (_tcslen -> lstrlenW, _tcscpy -> lstrcpyW, _tcscat -> lstrcatW, _tcscmp -> lstrcmpW,
 * _tcsicmp -> lstrcmpiW); the printf family and the rest are not available yet, so using them is a
 * compile error rather than a silent misprint. A wide _tmain (wmain) has no Linux entry point either.
 */
#ifndef W32IPC_TCHAR_H
#define W32IPC_TCHAR_H

#include "windows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define _T(x) __TEXT(x)
#define _TEXT(x) __TEXT(x)

#ifdef _UNICODE

typedef WCHAR _TCHAR;
typedef WCHAR _TSCHAR;
typedef WCHAR _TUCHAR;
typedef WCHAR _TXCHAR;
#define _tcslen lstrlenW
#define _tcscpy lstrcpyW
#define _tcscat lstrcatW
#define _tcscmp lstrcmpW
#define _tcsicmp lstrcmpiW

#else /* !_UNICODE */

typedef char _TCHAR;
typedef signed char _TSCHAR;
typedef unsigned char _TUCHAR;
typedef char _TXCHAR;
#define _tmain main
#define _tprintf printf
#define _ftprintf fprintf
#define _stprintf sprintf
#define _sntprintf snprintf
#define _vtprintf vprintf
#define _vftprintf vfprintf
#define _vstprintf vsprintf
#define _vsntprintf vsnprintf
#define _tscanf scanf
#define _stscanf sscanf
#define _fgetts fgets
#define _fputts fputs
#define _puttc putc
#define _puttchar putchar
#define _gettchar getchar
#define _tfopen fopen
#define _tcslen strlen
#define _tcsnlen strnlen
#define _tcscpy strcpy
#define _tcsncpy strncpy
#define _tcscat strcat
#define _tcsncat strncat
#define _tcscmp strcmp
#define _tcsncmp strncmp
#define _tcsicmp lstrcmpiA
#define _tcschr strchr
#define _tcsrchr strrchr
#define _tcsstr strstr
#define _tcstok strtok
#define _tcsdup strdup
#define _tcstol strtol
#define _tcstoul strtoul
#define _ttoi atoi
#define _ttol atol
#define _tgetenv getenv

#endif /* _UNICODE */

#endif /* W32IPC_TCHAR_H */
