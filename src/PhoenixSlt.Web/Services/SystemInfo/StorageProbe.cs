namespace PhoenixSlt.Web.Services.SystemInfo;

/// Free space of the file systems holding the portal's folders.
public static class StorageProbe
{
    /// The mount point among <paramref name="mountPoints"/> that holds <paramref name="path"/>: the longest one that
    /// is <paramref name="path"/> itself or one of its ancestors (compared by whole path segments), or null.
    public static string? MountFor(string path, IEnumerable<string> mountPoints)
    {
        string full = WithSeparator(Path.GetFullPath(path));
        string? best = null;
        int bestLength = -1;
        foreach (string mount in mountPoints)
        {
            string root = WithSeparator(mount);
            if (full.StartsWith(root, StringComparison.Ordinal) && root.Length > bestLength)
            {
                best = mount;
                bestLength = root.Length;
            }
        }
        return best;
    }

    /// <paramref name="path"/> (labelled <paramref name="label"/>) with the size and free space of its file system.
    /// A folder that does not exist yet is measured on the file system it would be created on.
    public static StorageInfo Describe(string label, string path)
    {
        bool exists = Directory.Exists(path);
        DriveInfo[] drives;
        try
        {
            drives = DriveInfo.GetDrives();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new StorageInfo(label, path, exists, null, null, null, null, $"the file systems could not be listed: {ex.Message}");
        }
        string? mount = MountFor(path, drives.Select(d => d.RootDirectory.FullName));
        DriveInfo? drive = drives.FirstOrDefault(d => d.RootDirectory.FullName == mount);
        if (drive is null)
            return new StorageInfo(label, path, exists, null, null, null, null, "no file system found for this path");
        try
        {
            return new StorageInfo(label, path, exists, mount, drive.DriveFormat, drive.TotalSize, drive.AvailableFreeSpace, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new StorageInfo(label, path, exists, mount, null, null, null, $"the size of {mount} could not be read: {ex.Message}");
        }
    }

    private static string WithSeparator(string path)
        => Path.EndsInDirectorySeparator(path) ? path : path + Path.DirectorySeparatorChar;
}
