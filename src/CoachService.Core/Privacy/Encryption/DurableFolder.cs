using System.Runtime.InteropServices;

namespace CoachService.Privacy.Encryption;

/// <summary>
/// Makes a folder's entries durable. A file's own fsync keeps its bytes, not its name: after a rename or a delete the
/// folder has to be flushed too, or a power cut can bring back the state before it (a user's key file missing while
/// the database, which PostgreSQL flushed at commit, holds text encrypted with it; or an erased user's key back).
/// </summary>
internal static class DurableFolder
{
    private const int ReadOnly = 0;
    private const int NotSupported = 22; // EINVAL: the file system cannot flush a folder (some network and FUSE ones)

    /// <summary>Flushes <paramref name="folder"/>'s entries to disk. On Windows, NTFS journals them; nothing to do.</summary>
    /// <exception cref="IOException">The folder could not be opened or flushed; the message names it and the error.</exception>
    public static void Sync(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = Open(folder, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"The folder {folder} could not be opened to flush its entries (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0 && Marshal.GetLastPInvokeError() is var error && error != NotSupported)
            {
                throw new IOException($"The folder {folder} could not be flushed to disk (errno {error}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    // DllImport rather than LibraryImport: the generated stubs would need AllowUnsafeBlocks. open(2) is variadic in C;
    // only its two fixed arguments are passed.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
