/*
 * conio.h — console I/O names from the Microsoft C runtime, for w32ipc's windows.h.
 *
 * Declared so that programs using them compile; libw32ipc does not provide them yet, so a program
 * that calls them fails to link until it does.
 */
#ifndef W32IPC_CONIO_H
#define W32IPC_CONIO_H

#ifdef __cplusplus
extern "C" {
#endif

int _getch(void);
int _getche(void);
int _kbhit(void);
int _putch(int c);
int _ungetch(int c);

#define getch _getch
#define getche _getche
#define kbhit _kbhit
#define putch _putch

#ifdef __cplusplus
}
#endif

#endif /* W32IPC_CONIO_H */
