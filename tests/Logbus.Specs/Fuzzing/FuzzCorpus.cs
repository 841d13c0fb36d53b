namespace Logbus.Specs.Fuzzing;

/// <summary>
/// The committed inputs every run replays (<c>tests/Logbus.Specs/Fuzzing/corpus/&lt;target&gt;/</c>): hand-picked hostile
/// ones and those the generators found problems with. A file is one input, read as bytes, exactly as committed.
/// </summary>
internal static class FuzzCorpus
{
    public static string Folder(string target) =>
        Path.Combine(RepositoryRoot.Folder, "tests", "Logbus.Specs", "Fuzzing", "corpus", target);

    /// <summary>The file names of a target's inputs, for a theory.</summary>
    public static TheoryData<string> Names(string target)
    {
        var names = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder(target)).Order(StringComparer.Ordinal))
        {
            names.Add(Path.GetFileName(file));
        }

        return names;
    }

    public static byte[] Read(string target, string name) => File.ReadAllBytes(Path.Combine(Folder(target), name));
}
