/*
 * strsafe.h — bounded string copy/concatenate/format functions with Microsoft's names and HRESULT
 * results, for w32ipc's windows.h. Microsoft's samples use them (StringCchCopy, StringCchPrintf).
 *
 * They are written here as small inline functions. Semantics follow the documentation: the
 * destination is always NUL-terminated when its size is not 0; when the text does not fit it is
 * truncated and STRSAFE_E_INSUFFICIENT_BUFFER is returned; a size of 0 or above STRSAFE_MAX_CCH
 * returns STRSAFE_E_INVALID_PARAMETER. "Cch" sizes count characters, "Cb" sizes count bytes.
 *
 * The W variants of copy, concatenate and length are here; the W printf variants are not, because
 * Linux's C library cannot format 16-bit strings (with UNICODE they are a compile error).
 */
#ifndef W32IPC_STRSAFE_H
#define W32IPC_STRSAFE_H

#include "windows.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRSAFE_MAX_CCH 2147483647
#define STRSAFE_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007A)
#define STRSAFE_E_INVALID_PARAMETER ((HRESULT)0x80070057)
#define STRSAFE_E_END_OF_FILE ((HRESULT)0x80070026)

typedef char *STRSAFE_LPSTR;
typedef const char *STRSAFE_LPCSTR;
typedef WCHAR *STRSAFE_LPWSTR;
typedef const WCHAR *STRSAFE_LPCWSTR;

/* Copies at most cchDest - 1 characters of `src` (and at most `max` of them) and terminates. */
static __inline__ HRESULT w32ipc_strsafe_copy_a(char *dest, size_t cchDest, const char *src, size_t max)
{
    size_t i = 0;
    if (cchDest == 0 || cchDest > STRSAFE_MAX_CCH)
        return STRSAFE_E_INVALID_PARAMETER;
    while (i < max && src[i] != '\0') {
        if (i + 1 == cchDest) {
            dest[i] = '\0';
            return STRSAFE_E_INSUFFICIENT_BUFFER;
        }
        dest[i] = src[i];
        i++;
    }
    dest[i] = '\0';
    return S_OK;
}

static __inline__ HRESULT w32ipc_strsafe_copy_w(WCHAR *dest, size_t cchDest, const WCHAR *src, size_t max)
{
    size_t i = 0;
    if (cchDest == 0 || cchDest > STRSAFE_MAX_CCH)
        return STRSAFE_E_INVALID_PARAMETER;
    while (i < max && src[i] != 0) {
        if (i + 1 == cchDest) {
            dest[i] = 0;
            return STRSAFE_E_INSUFFICIENT_BUFFER;
        }
        dest[i] = src[i];
        i++;
    }
    dest[i] = 0;
    return S_OK;
}

static __inline__ HRESULT StringCchLengthA(STRSAFE_LPCSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n = 0;
    if (psz == NULL || cchMax > STRSAFE_MAX_CCH) {
        if (pcchLength)
            *pcchLength = 0;
        return STRSAFE_E_INVALID_PARAMETER;
    }
    while (n < cchMax && psz[n] != '\0')
        n++;
    if (n == cchMax) {
        if (pcchLength)
            *pcchLength = 0;
        return STRSAFE_E_INVALID_PARAMETER;
    }
    if (pcchLength)
        *pcchLength = n;
    return S_OK;
}

static __inline__ HRESULT StringCchLengthW(STRSAFE_LPCWSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n = 0;
    if (psz == NULL || cchMax > STRSAFE_MAX_CCH) {
        if (pcchLength)
            *pcchLength = 0;
        return STRSAFE_E_INVALID_PARAMETER;
    }
    while (n < cchMax && psz[n] != 0)
        n++;
    if (n == cchMax) {
        if (pcchLength)
            *pcchLength = 0;
        return STRSAFE_E_INVALID_PARAMETER;
    }
    if (pcchLength)
        *pcchLength = n;
    return S_OK;
}

static __inline__ HRESULT StringCchCopyA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc)
{
    return w32ipc_strsafe_copy_a(pszDest, cchDest, pszSrc, (size_t)-1);
}

static __inline__ HRESULT StringCchCopyW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc)
{
    return w32ipc_strsafe_copy_w(pszDest, cchDest, pszSrc, (size_t)-1);
}

static __inline__ HRESULT StringCchCopyNA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc, size_t cchToCopy)
{
    return w32ipc_strsafe_copy_a(pszDest, cchDest, pszSrc, cchToCopy);
}

static __inline__ HRESULT StringCchCopyNW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc,
                                      size_t cchToCopy)
{
    return w32ipc_strsafe_copy_w(pszDest, cchDest, pszSrc, cchToCopy);
}

static __inline__ HRESULT StringCchCatA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszSrc)
{
    size_t len;
    HRESULT hr = StringCchLengthA(pszDest, cchDest, &len);
    if (FAILED(hr))
        return hr;
    return w32ipc_strsafe_copy_a(pszDest + len, cchDest - len, pszSrc, (size_t)-1);
}

static __inline__ HRESULT StringCchCatW(STRSAFE_LPWSTR pszDest, size_t cchDest, STRSAFE_LPCWSTR pszSrc)
{
    size_t len;
    HRESULT hr = StringCchLengthW(pszDest, cchDest, &len);
    if (FAILED(hr))
        return hr;
    return w32ipc_strsafe_copy_w(pszDest + len, cchDest - len, pszSrc, (size_t)-1);
}

static __inline__ HRESULT StringCchVPrintfA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszFormat,
                                        va_list argList)
{
    int n;
    if (cchDest == 0 || cchDest > STRSAFE_MAX_CCH)
        return STRSAFE_E_INVALID_PARAMETER;
    n = __builtin_vsnprintf(pszDest, cchDest, pszFormat, argList);
    if (n < 0) {
        pszDest[0] = '\0';
        return STRSAFE_E_INVALID_PARAMETER;
    }
    return (size_t)n >= cchDest ? STRSAFE_E_INSUFFICIENT_BUFFER : S_OK;
}

static __inline__ HRESULT StringCchPrintfA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszFormat, ...)
    __attribute__((format(printf, 3, 4)));
static __inline__ HRESULT StringCchPrintfA(STRSAFE_LPSTR pszDest, size_t cchDest, STRSAFE_LPCSTR pszFormat, ...)
{
    HRESULT hr;
    va_list ap;
    va_start(ap, pszFormat);
    hr = StringCchVPrintfA(pszDest, cchDest, pszFormat, ap);
    va_end(ap);
    return hr;
}

/* Byte-counted forms. */
static __inline__ HRESULT StringCbLengthA(STRSAFE_LPCSTR psz, size_t cbMax, size_t *pcbLength)
{
    return StringCchLengthA(psz, cbMax, pcbLength);
}

static __inline__ HRESULT StringCbLengthW(STRSAFE_LPCWSTR psz, size_t cbMax, size_t *pcbLength)
{
    size_t cch = 0;
    HRESULT hr = StringCchLengthW(psz, cbMax / sizeof(WCHAR), &cch);
    if (pcbLength)
        *pcbLength = cch * sizeof(WCHAR);
    return hr;
}

static __inline__ HRESULT StringCbCopyA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc)
{
    return StringCchCopyA(pszDest, cbDest, pszSrc);
}

static __inline__ HRESULT StringCbCopyW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc)
{
    return StringCchCopyW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}

static __inline__ HRESULT StringCbCatA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszSrc)
{
    return StringCchCatA(pszDest, cbDest, pszSrc);
}

static __inline__ HRESULT StringCbCatW(STRSAFE_LPWSTR pszDest, size_t cbDest, STRSAFE_LPCWSTR pszSrc)
{
    return StringCchCatW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}

static __inline__ HRESULT StringCbVPrintfA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszFormat,
                                       va_list argList)
{
    return StringCchVPrintfA(pszDest, cbDest, pszFormat, argList);
}

static __inline__ HRESULT StringCbPrintfA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszFormat, ...)
    __attribute__((format(printf, 3, 4)));
static __inline__ HRESULT StringCbPrintfA(STRSAFE_LPSTR pszDest, size_t cbDest, STRSAFE_LPCSTR pszFormat, ...)
{
    HRESULT hr;
    va_list ap;
    va_start(ap, pszFormat);
    hr = StringCchVPrintfA(pszDest, cbDest, pszFormat, ap);
    va_end(ap);
    return hr;
}

#ifdef UNICODE
#define StringCchLength StringCchLengthW
#define StringCchCopy StringCchCopyW
#define StringCchCopyN StringCchCopyNW
#define StringCchCat StringCchCatW
#define StringCbLength StringCbLengthW
#define StringCbCopy StringCbCopyW
#define StringCbCat StringCbCatW
#else
#define StringCchLength StringCchLengthA
#define StringCchCopy StringCchCopyA
#define StringCchCopyN StringCchCopyNA
#define StringCchCat StringCchCatA
#define StringCchPrintf StringCchPrintfA
#define StringCchVPrintf StringCchVPrintfA
#define StringCbLength StringCbLengthA
#define StringCbCopy StringCbCopyA
#define StringCbCat StringCbCatA
#define StringCbPrintf StringCbPrintfA
#define StringCbVPrintf StringCbVPrintfA
#endif

#ifdef __cplusplus
}
#endif

#endif /* W32IPC_STRSAFE_H */
