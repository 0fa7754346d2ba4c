/*
 * w32map.h — helpers of the mapping and file tests (on top of w32test.h): print the result of a
 * call that returns a handle, a pointer or a number, with the last error, by name where known.
 */
#ifndef W32MAP_H
#define W32MAP_H

#include "w32test.h"

static inline const char *m_errname(DWORD e)
{
    switch (e) {
    case ERROR_PATH_NOT_FOUND: return "ERROR_PATH_NOT_FOUND";
    case ERROR_FILE_EXISTS: return "ERROR_FILE_EXISTS";
    case ERROR_ALREADY_EXISTS: return "ERROR_ALREADY_EXISTS";
    case ERROR_INVALID_NAME: return "ERROR_INVALID_NAME";
    case ERROR_NEGATIVE_SEEK: return "ERROR_NEGATIVE_SEEK";
    case ERROR_BAD_EXE_FORMAT: return "ERROR_BAD_EXE_FORMAT";
    case ERROR_FILENAME_EXCED_RANGE: return "ERROR_FILENAME_EXCED_RANGE";
    case ERROR_INVALID_ADDRESS: return "ERROR_INVALID_ADDRESS";
    case ERROR_FILE_INVALID: return "ERROR_FILE_INVALID";
    case ERROR_MAPPED_ALIGNMENT: return "ERROR_MAPPED_ALIGNMENT";
    case ERROR_COMMITMENT_LIMIT: return "ERROR_COMMITMENT_LIMIT";
    case ERROR_DIRECTORY: return "ERROR_DIRECTORY";
    default: return t_errname(e);
    }
}

/* The last error a call left, printed; 0xDEAD means "not touched". */
static inline void m_err(DWORD e)
{
    if (e == 0xDEAD)
        printf(" error=untouched\n");
    else
        printf(" error=%u %s\n", (unsigned)e, m_errname(e));
}

/* "label: NULL error=..." / "label: handle error=..." for calls returning a HANDLE (NULL on failure). */
#define M_HANDLE(label, var, expr)                                                   \
    do {                                                                             \
        DWORD m_e_;                                                                  \
        SetLastError(0xDEAD);                                                        \
        (var) = (expr);                                                              \
        m_e_ = GetLastError();                                                       \
        printf("%s: %s", (label), (var) == NULL ? "NULL" : (var) == INVALID_HANDLE_VALUE ? "INVALID_HANDLE_VALUE" : "handle"); \
        m_err(m_e_);                                                                 \
    } while (0)

/* For calls returning a pointer (a view). */
#define M_PTR(label, var, expr)                                                      \
    do {                                                                             \
        DWORD m_e_;                                                                  \
        SetLastError(0xDEAD);                                                        \
        (var) = (expr);                                                              \
        m_e_ = GetLastError();                                                       \
        printf("%s: %s", (label), (var) == NULL ? "NULL" : "view");                  \
        m_err(m_e_);                                                                 \
    } while (0)

/* For BOOL calls. */
#define M_BOOL(label, expr)                                                          \
    do {                                                                             \
        DWORD m_e_;                                                                  \
        BOOL m_b_;                                                                   \
        SetLastError(0xDEAD);                                                        \
        m_b_ = (expr);                                                               \
        m_e_ = GetLastError();                                                       \
        printf("%s: %s", (label), m_b_ ? "TRUE" : "FALSE");                          \
        m_err(m_e_);                                                                 \
    } while (0)

/* For DWORD calls: the value in decimal. */
#define M_DWORD(label, expr)                                                         \
    do {                                                                             \
        DWORD m_e_, m_d_;                                                            \
        SetLastError(0xDEAD);                                                        \
        m_d_ = (expr);                                                               \
        m_e_ = GetLastError();                                                       \
        printf("%s: %u", (label), (unsigned)m_d_);                                   \
        m_err(m_e_);                                                                 \
    } while (0)

/* Maps a view, prints the result, unmaps it. */
#define M_TRYVIEW(label, expr)                                                       \
    do {                                                                             \
        void *m_v_;                                                                  \
        M_PTR(label, m_v_, expr);                                                    \
        if (m_v_ != NULL)                                                            \
            UnmapViewOfFile(m_v_);                                                   \
    } while (0)

/* A name unique to this run of the test (the process id), so reruns never collide. */
static inline const char *m_name(const char *base)
{
    static char names[8][128];
    static int next;
    char *out = names[next++ % 8];
    snprintf(out, 128, "w32ipc-%s-%lu", base, (unsigned long)GetCurrentProcessId());
    return out;
}

#endif /* W32MAP_H */
