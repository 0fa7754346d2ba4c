/*
 * npipe_sample_style.c — a named-pipe server and client written the way Microsoft's documentation
 * samples are: <tchar.h> (_tmain, _tprintf, TCHAR, TEXT), <strsafe.h> (StringCchCopy,
 * StringCchPrintf), HeapAlloc/HeapFree on GetProcessHeap(), lstrlen/lstrcmp, and a TCHAR message
 * sent with its terminating NUL, so programs in that style build against w32ipc unchanged. Not a
 * copy of any sample: the code is this project's own. Built without UNICODE (w32ipc's tchar.h maps
 * only the char printf family).
 *
 * The server (this process) creates a message-mode instance, starts the client (this program
 * again, "client PIPENAME"), connects, and serves it from an instance thread with heap-allocated
 * request and reply buffers: each request is printed and answered; a request "bye" gets a long
 * answer that the client reads in pieces. The client opens the pipe (WaitNamedPipe while busy),
 * switches to message read mode, sends its requests, reads each answer in a loop while ReadFile
 * fails with ERROR_MORE_DATA (a 16-TCHAR buffer), and checks it with lstrcmp; its lines are
 * printed after it has ended.
 *
 * Covers, besides the helpers above: the documented client loop (CreateFile, ERROR_PIPE_BUSY,
 * WaitNamedPipe(20000), SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)); ERROR_MORE_DATA pieces of
 * one message; the server's ReadFile ERROR_BROKEN_PIPE (109) when the client closes; the
 * FlushFileBuffers / DisconnectNamedPipe / CloseHandle ending; StringCchCopy truncation
 * (STRSAFE_E_INSUFFICIENT_BUFFER) and StringCchPrintf results.
 */
#include "w32npipe.h"

#include <tchar.h>
#include <strsafe.h>

#define BUFSIZE 512
#define CLIENT_CCH 16 /* the client's read buffer, in TCHARs: long answers come in pieces */

/* ---------------- the client ---------------- */

static int run_client(LPCTSTR lpszPipename)
{
    HANDLE hPipe = INVALID_HANDLE_VALUE;
    LPCTSTR requests[] = { TEXT("hello from the sample client"), TEXT("what time is it"), TEXT("bye") };
    TCHAR chBuf[CLIENT_CCH];
    TCHAR *answer;
    TCHAR expected[BUFSIZE];
    BOOL fSuccess;
    DWORD cbRead, cbToWrite, cbWritten, dwMode, cbTotal;
    int i, tries, pieces;

    /* Open the pipe; wait for it while every instance is busy. */
    for (tries = 0; tries < 20; tries++) {
        hPipe = CreateFile(lpszPipename, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (hPipe != INVALID_HANDLE_VALUE)
            break;
        if (GetLastError() != ERROR_PIPE_BUSY) {
            _tprintf(TEXT("Could not open the pipe: error %u\n"), (unsigned)GetLastError());
            return 1;
        }
        if (!WaitNamedPipe(lpszPipename, 20000)) {
            _tprintf(TEXT("Could not open the pipe: 20 second wait timed out.\n"));
            return 1;
        }
    }
    if (hPipe == INVALID_HANDLE_VALUE)
        return 1;

    /* The pipe connected; change to message read mode. */
    dwMode = PIPE_READMODE_MESSAGE;
    fSuccess = SetNamedPipeHandleState(hPipe, &dwMode, NULL, NULL);
    _tprintf(TEXT("SetNamedPipeHandleState: %s\n"), fSuccess ? TEXT("TRUE") : TEXT("FALSE"));

    answer = (TCHAR *)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, BUFSIZE * sizeof(TCHAR));
    if (answer == NULL) {
        _tprintf(TEXT("HeapAlloc failed\n"));
        CloseHandle(hPipe);
        return 2;
    }

    for (i = 0; i < 3; i++) {
        cbToWrite = (DWORD)((lstrlen(requests[i]) + 1) * sizeof(TCHAR));
        fSuccess = WriteFile(hPipe, requests[i], cbToWrite, &cbWritten, NULL);
        _tprintf(TEXT("Sent %u bytes: \"%s\" (%s)\n"), (unsigned)cbWritten, requests[i], fSuccess ? TEXT("TRUE") : TEXT("FALSE"));
        if (!fSuccess)
            break;

        /* Read the answer, in pieces while ReadFile says ERROR_MORE_DATA. */
        cbTotal = 0;
        pieces = 0;
        answer[0] = TEXT('\0');
        do {
            fSuccess = ReadFile(hPipe, chBuf, sizeof chBuf, &cbRead, NULL);
            if (!fSuccess && GetLastError() != ERROR_MORE_DATA)
                break;
            if (cbTotal + cbRead <= BUFSIZE * sizeof(TCHAR)) {
                memcpy((BYTE *)answer + cbTotal, chBuf, cbRead);
                cbTotal += cbRead;
            }
            pieces++;
        } while (!fSuccess);
        if (!fSuccess) {
            _tprintf(TEXT("ReadFile from the pipe failed: error %u\n"), (unsigned)GetLastError());
            break;
        }
        answer[BUFSIZE - 1] = TEXT('\0');
        if (lstrcmp(requests[i], TEXT("bye")) == 0)
            StringCchPrintf(expected, BUFSIZE, TEXT("goodbye: this answer is longer than the client's %d-character buffer"),
                            CLIENT_CCH);
        else
            StringCchPrintf(expected, BUFSIZE, TEXT("answer to \"%s\""), requests[i]);
        _tprintf(TEXT("Received %u bytes in %d piece(s): \"%s\", as expected: %s\n"), (unsigned)cbTotal, pieces, answer,
                 lstrcmp(answer, expected) == 0 ? TEXT("yes") : TEXT("no"));
    }

    HeapFree(GetProcessHeap(), 0, answer);
    CloseHandle(hPipe);
    _tprintf(TEXT("Client done, pipe closed.\n"));
    return 0;
}

/* ---------------- the server ---------------- */

/* Builds the answer to one request; returns its size in bytes, NUL included (0: refuse). */
static DWORD GetAnswerToRequest(LPCTSTR pchRequest, LPTSTR pchReply, DWORD cchReply)
{
    HRESULT hr;
    if (lstrcmp(pchRequest, TEXT("bye")) == 0)
        hr = StringCchPrintf(pchReply, cchReply, TEXT("goodbye: this answer is longer than the client's %d-character buffer"),
                             CLIENT_CCH);
    else
        hr = StringCchPrintf(pchReply, cchReply, TEXT("answer to \"%s\""), pchRequest);
    if (FAILED(hr)) {
        StringCchCopy(pchReply, cchReply, TEXT(""));
        return 0;
    }
    return (DWORD)((lstrlen(pchReply) + 1) * sizeof(TCHAR));
}

static DWORD WINAPI InstanceThread(LPVOID lpvParam)
{
    HANDLE hHeap = GetProcessHeap();
    TCHAR *pchRequest = (TCHAR *)HeapAlloc(hHeap, 0, BUFSIZE * sizeof(TCHAR));
    TCHAR *pchReply = (TCHAR *)HeapAlloc(hHeap, 0, BUFSIZE * sizeof(TCHAR));
    HANDLE hPipe = (HANDLE)lpvParam;
    DWORD cbBytesRead = 0, cbReplyBytes = 0, cbWritten = 0;
    BOOL fSuccess;

    if (pchRequest == NULL || pchReply == NULL) {
        _tprintf(TEXT("InstanceThread: HeapAlloc failed\n"));
        if (pchRequest != NULL)
            HeapFree(hHeap, 0, pchRequest);
        if (pchReply != NULL)
            HeapFree(hHeap, 0, pchReply);
        return (DWORD)-1;
    }

    for (;;) {
        fSuccess = ReadFile(hPipe, pchRequest, BUFSIZE * sizeof(TCHAR), &cbBytesRead, NULL);
        if (!fSuccess || cbBytesRead == 0) {
            if (GetLastError() == ERROR_BROKEN_PIPE)
                _tprintf(TEXT("InstanceThread: the client disconnected (ReadFile error %u).\n"), (unsigned)GetLastError());
            else
                _tprintf(TEXT("InstanceThread: ReadFile failed, error %u.\n"), (unsigned)GetLastError());
            break;
        }
        pchRequest[BUFSIZE - 1] = TEXT('\0');
        _tprintf(TEXT("InstanceThread: request of %u bytes: \"%s\"\n"), (unsigned)cbBytesRead, pchRequest);
        cbReplyBytes = GetAnswerToRequest(pchRequest, pchReply, BUFSIZE);
        fSuccess = WriteFile(hPipe, pchReply, cbReplyBytes, &cbWritten, NULL);
        if (!fSuccess || cbReplyBytes != cbWritten) {
            _tprintf(TEXT("InstanceThread: WriteFile failed, error %u.\n"), (unsigned)GetLastError());
            break;
        }
        _tprintf(TEXT("InstanceThread: answered with %u bytes\n"), (unsigned)cbWritten);
    }

    /* Let the client read everything, then disconnect and close this instance. */
    FlushFileBuffers(hPipe);
    _tprintf(TEXT("InstanceThread: DisconnectNamedPipe: %s\n"), DisconnectNamedPipe(hPipe) ? TEXT("TRUE") : TEXT("FALSE"));
    CloseHandle(hPipe);
    HeapFree(hHeap, 0, pchRequest);
    HeapFree(hHeap, 0, pchReply);
    _tprintf(TEXT("InstanceThread exiting.\n"));
    return 1;
}

/* Unblocks ConnectNamedPipe if the client never comes (so the test cannot hang). */
static LPCTSTR watched_pipe;
static HANDLE connected_event;
static DWORD WINAPI Watchdog(LPVOID lpvParam)
{
    (void)lpvParam;
    if (WaitForSingleObject(connected_event, 30000) != WAIT_OBJECT_0) {
        HANDLE h = CreateFile(watched_pipe, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
    }
    return 0;
}

int _tmain(int argc, TCHAR *argv[])
{
    TCHAR lpszPipename[128], small[8], line[64];
    TCHAR args[256];
    HANDLE hPipe, hThread, hWatchdog, out;
    PROCESS_INFORMATION pi;
    DWORD dwThreadId = 0, code;
    BOOL fConnected;
    HRESULT hr;

    if (argc >= 3 && lstrcmp(argv[1], TEXT("client")) == 0) {
        t_init();
        return run_client(argv[2]);
    }
    t_init();

    /* strsafe results, as a sample would check them */
    hr = StringCchCopy(small, 8, TEXT("a string too long for eight"));
    _tprintf(TEXT("StringCchCopy into 8 TCHARs: hr=0x%08x (STRSAFE_E_INSUFFICIENT_BUFFER: %s), \"%s\", lstrlen %d\n"),
             (unsigned)hr, hr == STRSAFE_E_INSUFFICIENT_BUFFER ? TEXT("yes") : TEXT("no"), small, lstrlen(small));
    hr = StringCchPrintf(line, 64, TEXT("%s-%d"), TEXT("pipe"), 42);
    _tprintf(TEXT("StringCchPrintf: hr=0x%08x, \"%s\"\n"), (unsigned)hr, line);

    StringCchPrintf(lpszPipename, 128, TEXT("\\\\.\\pipe\\w32ipc-sample-%lu"), (unsigned long)GetCurrentProcessId());
    hPipe = CreateNamedPipe(lpszPipename,             /* pipe name */
                            PIPE_ACCESS_DUPLEX,       /* read/write access */
                            PIPE_TYPE_MESSAGE |       /* message type pipe */
                                PIPE_READMODE_MESSAGE | /* message-read mode */
                                PIPE_WAIT,            /* blocking mode */
                            PIPE_UNLIMITED_INSTANCES, /* max. instances */
                            BUFSIZE * sizeof(TCHAR),  /* output buffer size */
                            BUFSIZE * sizeof(TCHAR),  /* input buffer size */
                            0,                        /* client time-out */
                            NULL);                    /* default security attribute */
    if (hPipe == INVALID_HANDLE_VALUE) {
        _tprintf(TEXT("CreateNamedPipe failed, error %u.\n"), (unsigned)GetLastError());
        return 1;
    }
    _tprintf(TEXT("Pipe server: created the pipe, awaiting a client\n"));

    StringCchPrintf(args, 256, TEXT("client %s"), lpszPipename);
    if (!t_spawn_captured(args, &pi, &out)) {
        _tprintf(TEXT("CreateProcess failed, error %u.\n"), (unsigned)GetLastError());
        return 1;
    }
    watched_pipe = lpszPipename;
    connected_event = CreateEvent(NULL, TRUE, FALSE, NULL);
    hWatchdog = CreateThread(NULL, 0, Watchdog, NULL, 0, NULL);

    /* Wait for the client to connect; ERROR_PIPE_CONNECTED means it came first. */
    fConnected = ConnectNamedPipe(hPipe, NULL) ? TRUE : (GetLastError() == ERROR_PIPE_CONNECTED);
    SetEvent(connected_event);
    if (fConnected) {
        _tprintf(TEXT("Client connected, creating a processing thread.\n"));
        hThread = CreateThread(NULL, 0, InstanceThread, (LPVOID)hPipe, 0, &dwThreadId);
        if (hThread == NULL) {
            _tprintf(TEXT("CreateThread failed, error %u.\n"), (unsigned)GetLastError());
            return 1;
        }
        if (WaitForSingleObject(hThread, 30000) != WAIT_OBJECT_0)
            _tprintf(TEXT("the instance thread is still running after 30 s\n"));
        code = 0;
        GetExitCodeThread(hThread, &code);
        _tprintf(TEXT("InstanceThread exit code: %u\n"), (unsigned)code);
        CloseHandle(hThread);
    } else {
        _tprintf(TEXT("ConnectNamedPipe failed, error %u.\n"), (unsigned)GetLastError());
        CloseHandle(hPipe);
    }
    WaitForSingleObject(hWatchdog, 5000);
    CloseHandle(hWatchdog);
    CloseHandle(connected_event);
    t_finish_child("client", &pi, out, 30000);
    return 0;
}
