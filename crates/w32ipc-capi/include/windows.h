/*
 * windows.h — w32ipc's subset of the Win32 API for C and C++ programs on Linux.
 *
 * Build a Win32 program against libw32ipc with
 *
 *     gcc -fshort-wchar -I<this directory> prog.c -lw32ipc -lpthread
 *
 * (pkg-config --cflags --libs w32ipc gives the same). -fshort-wchar makes L"..." 16-bit UTF-16, as
 * WCHAR is on Windows; it is required when UNICODE is defined and harmless otherwise.
 *
 * What is here: the Win32 base types with Windows' 64-bit sizes (DWORD and LONG are 32-bit,
 * handles and *_PTR types pointer-sized), the structures with the Windows x64 layout and field names,
 * the error codes, and the kernel32/advapi32/user32 functions for pipes, named pipes, file mappings,
 * synchronisation objects, processes, threads and message queues, with A/W variants and the generic
 * names switching on UNICODE. Everything a real windows.h has for drawing, COM, the registry and so
 * on is not here.
 */
#ifndef W32IPC_WINDOWS_H
#define W32IPC_WINDOWS_H

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00 /* the values here are Windows 10's */
#endif
#ifndef WINVER
#define WINVER _WIN32_WINNT
#endif

#include "w32ipc/types.h"
#include "w32ipc/errors.h"
#include "w32ipc/kernel32.h"
#include "w32ipc/user32.h"

#endif /* W32IPC_WINDOWS_H */
