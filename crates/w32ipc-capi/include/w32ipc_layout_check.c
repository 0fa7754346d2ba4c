/*
 * w32ipc_layout_check.c — compile-time checks that w32ipc's windows.h has the Windows x64 sizes,
 * signedness and structure layouts.
 *
 * The expected numbers are Windows x64's. The same file compiles against the real SDK headers, which
 * is how the numbers themselves are checked (scripts/check-headers does both):
 *
 *     gcc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I crates/w32ipc-capi/include  w32ipc_layout_check.c
 *     x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -fsyntax-only                 w32ipc_layout_check.c
 */
#include <windows.h>

#include <stddef.h>

#define SIZE(type, n) _Static_assert(sizeof(type) == (n), "sizeof(" #type ") == " #n)
#define AT(type, field, n) _Static_assert(offsetof(type, field) == (n), "offsetof(" #type ", " #field ") == " #n)
#define UNSIGNED(type) _Static_assert((type)-1 > 0, #type " is unsigned")
#define SIGNED(type) _Static_assert((type)-1 < 0, #type " is signed")

/* Base types: LLP64, so DWORD and LONG are 32 bits and the *_PTR types pointer-sized. */
SIZE(CHAR, 1);
SIZE(UCHAR, 1);
SIZE(BYTE, 1);
SIZE(BOOLEAN, 1);
SIZE(WCHAR, 2);
SIZE(WORD, 2);
SIZE(SHORT, 2);
SIZE(USHORT, 2);
SIZE(ATOM, 2);
SIZE(INT, 4);
SIZE(UINT, 4);
SIZE(BOOL, 4);
SIZE(LONG, 4);
SIZE(ULONG, 4);
SIZE(DWORD, 4);
SIZE(HRESULT, 4);
SIZE(LONGLONG, 8);
SIZE(ULONGLONG, 8);
SIZE(DWORD64, 8);
SIZE(INT_PTR, 8);
SIZE(UINT_PTR, 8);
SIZE(LONG_PTR, 8);
SIZE(ULONG_PTR, 8);
SIZE(DWORD_PTR, 8);
SIZE(SIZE_T, 8);
SIZE(SSIZE_T, 8);
SIZE(WPARAM, 8);
SIZE(LPARAM, 8);
SIZE(LRESULT, 8);
SIZE(HANDLE, 8);
SIZE(HWND, 8);
SIZE(HINSTANCE, 8);
SIZE(HMODULE, 8);
SIZE(HLOCAL, 8);
SIZE(HGLOBAL, 8);
SIZE(FARPROC, 8);
SIZE(WNDPROC, 8);
SIZE(LPTHREAD_START_ROUTINE, 8);
SIZE(LPVOID, 8);
SIZE(LPSTR, 8);
SIZE(LPWSTR, 8);

UNSIGNED(BYTE);
UNSIGNED(UCHAR);
UNSIGNED(WORD);
UNSIGNED(USHORT);
UNSIGNED(WCHAR);
UNSIGNED(UINT);
UNSIGNED(ULONG);
UNSIGNED(DWORD);
UNSIGNED(ULONGLONG);
UNSIGNED(DWORD64);
UNSIGNED(UINT_PTR);
UNSIGNED(ULONG_PTR);
UNSIGNED(DWORD_PTR);
UNSIGNED(SIZE_T);
UNSIGNED(WPARAM);
SIGNED(SHORT);
SIGNED(INT);
SIGNED(BOOL);
SIGNED(LONG);
SIGNED(HRESULT);
SIGNED(LONGLONG);
SIGNED(INT_PTR);
SIGNED(LONG_PTR);
SIGNED(SSIZE_T);
SIGNED(LPARAM);
SIGNED(LRESULT);

/* Structures. */

SIZE(SECURITY_ATTRIBUTES, 24);
AT(SECURITY_ATTRIBUTES, nLength, 0);
AT(SECURITY_ATTRIBUTES, lpSecurityDescriptor, 8);
AT(SECURITY_ATTRIBUTES, bInheritHandle, 16);

SIZE(STARTUPINFOA, 104);
AT(STARTUPINFOA, cb, 0);
AT(STARTUPINFOA, lpReserved, 8);
AT(STARTUPINFOA, lpDesktop, 16);
AT(STARTUPINFOA, lpTitle, 24);
AT(STARTUPINFOA, dwX, 32);
AT(STARTUPINFOA, dwY, 36);
AT(STARTUPINFOA, dwXSize, 40);
AT(STARTUPINFOA, dwYSize, 44);
AT(STARTUPINFOA, dwXCountChars, 48);
AT(STARTUPINFOA, dwYCountChars, 52);
AT(STARTUPINFOA, dwFillAttribute, 56);
AT(STARTUPINFOA, dwFlags, 60);
AT(STARTUPINFOA, wShowWindow, 64);
AT(STARTUPINFOA, cbReserved2, 66);
AT(STARTUPINFOA, lpReserved2, 72);
AT(STARTUPINFOA, hStdInput, 80);
AT(STARTUPINFOA, hStdOutput, 88);
AT(STARTUPINFOA, hStdError, 96);

SIZE(STARTUPINFOW, 104);
AT(STARTUPINFOW, cb, 0);
AT(STARTUPINFOW, lpReserved, 8);
AT(STARTUPINFOW, lpDesktop, 16);
AT(STARTUPINFOW, lpTitle, 24);
AT(STARTUPINFOW, dwX, 32);
AT(STARTUPINFOW, dwY, 36);
AT(STARTUPINFOW, dwXSize, 40);
AT(STARTUPINFOW, dwYSize, 44);
AT(STARTUPINFOW, dwXCountChars, 48);
AT(STARTUPINFOW, dwYCountChars, 52);
AT(STARTUPINFOW, dwFillAttribute, 56);
AT(STARTUPINFOW, dwFlags, 60);
AT(STARTUPINFOW, wShowWindow, 64);
AT(STARTUPINFOW, cbReserved2, 66);
AT(STARTUPINFOW, lpReserved2, 72);
AT(STARTUPINFOW, hStdInput, 80);
AT(STARTUPINFOW, hStdOutput, 88);
AT(STARTUPINFOW, hStdError, 96);

SIZE(PROCESS_INFORMATION, 24);
AT(PROCESS_INFORMATION, hProcess, 0);
AT(PROCESS_INFORMATION, hThread, 8);
AT(PROCESS_INFORMATION, dwProcessId, 16);
AT(PROCESS_INFORMATION, dwThreadId, 20);

SIZE(OVERLAPPED, 32);
AT(OVERLAPPED, Internal, 0);
AT(OVERLAPPED, InternalHigh, 8);
AT(OVERLAPPED, Offset, 16);
AT(OVERLAPPED, OffsetHigh, 20);
AT(OVERLAPPED, Pointer, 16);
AT(OVERLAPPED, hEvent, 24);

SIZE(OVERLAPPED_ENTRY, 32);
AT(OVERLAPPED_ENTRY, lpCompletionKey, 0);
AT(OVERLAPPED_ENTRY, lpOverlapped, 8);
AT(OVERLAPPED_ENTRY, Internal, 16);
AT(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred, 24);

SIZE(SYSTEM_INFO, 48);
AT(SYSTEM_INFO, dwOemId, 0);
AT(SYSTEM_INFO, wProcessorArchitecture, 0);
AT(SYSTEM_INFO, wReserved, 2);
AT(SYSTEM_INFO, dwPageSize, 4);
AT(SYSTEM_INFO, lpMinimumApplicationAddress, 8);
AT(SYSTEM_INFO, lpMaximumApplicationAddress, 16);
AT(SYSTEM_INFO, dwActiveProcessorMask, 24);
AT(SYSTEM_INFO, dwNumberOfProcessors, 32);
AT(SYSTEM_INFO, dwProcessorType, 36);
AT(SYSTEM_INFO, dwAllocationGranularity, 40);
AT(SYSTEM_INFO, wProcessorLevel, 44);
AT(SYSTEM_INFO, wProcessorRevision, 46);

SIZE(MEMORY_BASIC_INFORMATION, 48);
AT(MEMORY_BASIC_INFORMATION, BaseAddress, 0);
AT(MEMORY_BASIC_INFORMATION, AllocationBase, 8);
AT(MEMORY_BASIC_INFORMATION, AllocationProtect, 16);
/* PartitionId (a WORD at 20) exists in current SDKs only; mingw-w64 leaves that space as padding. */
AT(MEMORY_BASIC_INFORMATION, RegionSize, 24);
AT(MEMORY_BASIC_INFORMATION, State, 32);
AT(MEMORY_BASIC_INFORMATION, Protect, 36);
AT(MEMORY_BASIC_INFORMATION, Type, 40);

SIZE(CRITICAL_SECTION, 40);
AT(CRITICAL_SECTION, DebugInfo, 0);
AT(CRITICAL_SECTION, LockCount, 8);
AT(CRITICAL_SECTION, RecursionCount, 12);
AT(CRITICAL_SECTION, OwningThread, 16);
AT(CRITICAL_SECTION, LockSemaphore, 24);
AT(CRITICAL_SECTION, SpinCount, 32);

SIZE(SECURITY_DESCRIPTOR, 40);
AT(SECURITY_DESCRIPTOR, Revision, 0);
AT(SECURITY_DESCRIPTOR, Sbz1, 1);
AT(SECURITY_DESCRIPTOR, Control, 2);
AT(SECURITY_DESCRIPTOR, Owner, 8);
AT(SECURITY_DESCRIPTOR, Group, 16);
AT(SECURITY_DESCRIPTOR, Sacl, 24);
AT(SECURITY_DESCRIPTOR, Dacl, 32);

SIZE(ACL, 8);
AT(ACL, AclRevision, 0);
AT(ACL, Sbz1, 1);
AT(ACL, AclSize, 2);
AT(ACL, AceCount, 4);
AT(ACL, Sbz2, 6);

SIZE(FILETIME, 8);
AT(FILETIME, dwLowDateTime, 0);
AT(FILETIME, dwHighDateTime, 4);

SIZE(SYSTEMTIME, 16);
AT(SYSTEMTIME, wYear, 0);
AT(SYSTEMTIME, wMonth, 2);
AT(SYSTEMTIME, wDayOfWeek, 4);
AT(SYSTEMTIME, wDay, 6);
AT(SYSTEMTIME, wHour, 8);
AT(SYSTEMTIME, wMinute, 10);
AT(SYSTEMTIME, wSecond, 12);
AT(SYSTEMTIME, wMilliseconds, 14);

SIZE(LARGE_INTEGER, 8);
AT(LARGE_INTEGER, LowPart, 0);
AT(LARGE_INTEGER, HighPart, 4);
AT(LARGE_INTEGER, QuadPart, 0);

SIZE(ULARGE_INTEGER, 8);
AT(ULARGE_INTEGER, LowPart, 0);
AT(ULARGE_INTEGER, HighPart, 4);
AT(ULARGE_INTEGER, QuadPart, 0);

SIZE(COPYDATASTRUCT, 24);
AT(COPYDATASTRUCT, dwData, 0);
AT(COPYDATASTRUCT, cbData, 8);
AT(COPYDATASTRUCT, lpData, 16);

SIZE(POINT, 8);
AT(POINT, x, 0);
AT(POINT, y, 4);

SIZE(RECT, 16);
AT(RECT, left, 0);
AT(RECT, top, 4);
AT(RECT, right, 8);
AT(RECT, bottom, 12);

SIZE(MSG, 48);
AT(MSG, hwnd, 0);
AT(MSG, message, 8);
AT(MSG, wParam, 16);
AT(MSG, lParam, 24);
AT(MSG, time, 32);
AT(MSG, pt, 36);

SIZE(WNDCLASSA, 72);
AT(WNDCLASSA, style, 0);
AT(WNDCLASSA, lpfnWndProc, 8);
AT(WNDCLASSA, cbClsExtra, 16);
AT(WNDCLASSA, cbWndExtra, 20);
AT(WNDCLASSA, hInstance, 24);
AT(WNDCLASSA, hIcon, 32);
AT(WNDCLASSA, hCursor, 40);
AT(WNDCLASSA, hbrBackground, 48);
AT(WNDCLASSA, lpszMenuName, 56);
AT(WNDCLASSA, lpszClassName, 64);

SIZE(WNDCLASSW, 72);
AT(WNDCLASSW, style, 0);
AT(WNDCLASSW, lpfnWndProc, 8);
AT(WNDCLASSW, cbClsExtra, 16);
AT(WNDCLASSW, cbWndExtra, 20);
AT(WNDCLASSW, hInstance, 24);
AT(WNDCLASSW, hIcon, 32);
AT(WNDCLASSW, hCursor, 40);
AT(WNDCLASSW, hbrBackground, 48);
AT(WNDCLASSW, lpszMenuName, 56);
AT(WNDCLASSW, lpszClassName, 64);

SIZE(WNDCLASSEXA, 80);
AT(WNDCLASSEXA, cbSize, 0);
AT(WNDCLASSEXA, style, 4);
AT(WNDCLASSEXA, lpfnWndProc, 8);
AT(WNDCLASSEXA, cbClsExtra, 16);
AT(WNDCLASSEXA, cbWndExtra, 20);
AT(WNDCLASSEXA, hInstance, 24);
AT(WNDCLASSEXA, hIcon, 32);
AT(WNDCLASSEXA, hCursor, 40);
AT(WNDCLASSEXA, hbrBackground, 48);
AT(WNDCLASSEXA, lpszMenuName, 56);
AT(WNDCLASSEXA, lpszClassName, 64);
AT(WNDCLASSEXA, hIconSm, 72);

SIZE(WNDCLASSEXW, 80);
AT(WNDCLASSEXW, cbSize, 0);
AT(WNDCLASSEXW, style, 4);
AT(WNDCLASSEXW, lpfnWndProc, 8);
AT(WNDCLASSEXW, cbClsExtra, 16);
AT(WNDCLASSEXW, cbWndExtra, 20);
AT(WNDCLASSEXW, hInstance, 24);
AT(WNDCLASSEXW, hIcon, 32);
AT(WNDCLASSEXW, hCursor, 40);
AT(WNDCLASSEXW, hbrBackground, 48);
AT(WNDCLASSEXW, lpszMenuName, 56);
AT(WNDCLASSEXW, lpszClassName, 64);
AT(WNDCLASSEXW, hIconSm, 72);

SIZE(CREATESTRUCTA, 80);
AT(CREATESTRUCTA, lpCreateParams, 0);
AT(CREATESTRUCTA, hInstance, 8);
AT(CREATESTRUCTA, hMenu, 16);
AT(CREATESTRUCTA, hwndParent, 24);
AT(CREATESTRUCTA, cy, 32);
AT(CREATESTRUCTA, cx, 36);
AT(CREATESTRUCTA, y, 40);
AT(CREATESTRUCTA, x, 44);
AT(CREATESTRUCTA, style, 48);
AT(CREATESTRUCTA, lpszName, 56);
AT(CREATESTRUCTA, lpszClass, 64);
AT(CREATESTRUCTA, dwExStyle, 72);

SIZE(CREATESTRUCTW, 80);
AT(CREATESTRUCTW, lpCreateParams, 0);
AT(CREATESTRUCTW, hInstance, 8);
AT(CREATESTRUCTW, hMenu, 16);
AT(CREATESTRUCTW, hwndParent, 24);
AT(CREATESTRUCTW, cy, 32);
AT(CREATESTRUCTW, cx, 36);
AT(CREATESTRUCTW, y, 40);
AT(CREATESTRUCTW, x, 44);
AT(CREATESTRUCTW, style, 48);
AT(CREATESTRUCTW, lpszName, 56);
AT(CREATESTRUCTW, lpszClass, 64);
AT(CREATESTRUCTW, dwExStyle, 72);

/* Values a program may store in a structure or compare against. */
_Static_assert(sizeof(SECURITY_DESCRIPTOR_MIN_LENGTH) == sizeof(size_t) && SECURITY_DESCRIPTOR_MIN_LENGTH == 40,
               "SECURITY_DESCRIPTOR_MIN_LENGTH == 40");
_Static_assert(MAX_PATH == 260, "MAX_PATH == 260");
_Static_assert(INFINITE == 0xFFFFFFFF, "INFINITE == 0xFFFFFFFF");
_Static_assert(MAXIMUM_WAIT_OBJECTS == 64, "MAXIMUM_WAIT_OBJECTS == 64");
