using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Foundation;

/// <summary>
/// The house rule "lines at most 150 characters" for the C# and TypeScript sources of src/, tests/ and bench/, tracked or not, so a long line
/// fails here rather than in a review. Build output, installed packages and generated migrations are not written by hand and are left out.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class LineLengthSpecs
{
    private const int MaxLength = 150;
    private static readonly string[] SourceFolders = ["src", "tests", "bench"];
    private static readonly string[] Extensions = [".cs", ".ts"];
    private static readonly string[] GeneratedFolderNames = ["bin", "obj", "node_modules", "dist"];
    private static readonly string[] GeneratedFolders = ["src/Logbus.Storage/Migrations/"];

    [Fact]
    public void No_source_line_is_longer_than_150_characters()
    {
        var files = SourceFiles().ToList();
        Assert.Contains("tests/Logbus.Specs/Foundation/LineLengthSpecs.cs", files);

        var tooLong = files
            .SelectMany(file => File.ReadLines(Path.Combine(RepositoryPaths.Root, file))
                .Select((line, index) => (file, Number: index + 1, line.Length)))
            .Where(line => line.Length > MaxLength)
            .Select(line => $"{line.file}:{line.Number}: {line.Length} characters")
            .ToList();

        Assert.True(tooLong.Count == 0, $"Lines longer than {MaxLength} characters:\n{string.Join('\n', tooLong)}");
    }

    /// <summary>Paths relative to the repository root, with forward slashes.</summary>
    private static IEnumerable<string> SourceFiles() =>
        SourceFolders
            .Select(folder => Path.Combine(RepositoryPaths.Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(path => Extensions.Contains(Path.GetExtension(path), StringComparer.Ordinal))
            .Select(path => Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => GeneratedFolderNames.Contains(part, StringComparer.Ordinal)))
            .Where(path => !GeneratedFolders.Any(folder => path.StartsWith(folder, StringComparison.Ordinal)));
}
