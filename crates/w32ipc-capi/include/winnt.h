/* winnt.h — part of w32ipc's windows.h subset; everything is declared by <windows.h>. */
#ifndef W32IPC_WINNT_H
#define W32IPC_WINNT_H
#include "windows.h"
#endif
