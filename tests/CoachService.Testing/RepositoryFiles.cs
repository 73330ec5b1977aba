namespace CoachService.Testing;

/// <summary>Files of the repository the tests run from (docs, the .http file, docker-compose.yml).</summary>
public static class RepositoryFiles
{
    /// <summary>The folder of CoachService.sln, found above the test binaries.</summary>
    public static string Root()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CoachService.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("CoachService.sln not found above the test binaries");
    }
}
