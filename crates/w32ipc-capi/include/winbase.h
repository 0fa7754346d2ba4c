/* winbase.h — part of w32ipc's windows.h subset; everything is declared by <windows.h>. */
#ifndef W32IPC_WINBASE_H
#define W32IPC_WINBASE_H
#include "windows.h"
#endif
