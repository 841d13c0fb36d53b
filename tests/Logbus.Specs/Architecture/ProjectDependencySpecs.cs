using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Architecture;

/// <summary>
/// The layers of docs/architecture.md, held here as a table: which Logbus projects each project under src/ may
/// reference, and whether it may know ASP.NET Core. Both the project files and the compiled assemblies are checked, so
/// a reference that slips in through a transitive path still fails once code uses it.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ProjectDependencySpecs
{
    private const string Contracts = "Logbus.Contracts";
    private const string Kafka = "Logbus.Messaging.Kafka";
    private const string KafkaTesting = "Logbus.Messaging.Kafka.Testing";
    private const string EfCore = "Logbus.Messaging.EntityFrameworkCore";
    private const string Storage = "Logbus.Storage";
    private const string ServiceDefaults = "Logbus.ServiceDefaults";
    private const string ImportsHttp = "Logbus.Imports.Http";
    private const string Api = "Logbus.Api";
    private const string Worker = "Logbus.Worker";
    private const string Query = "Logbus.Query";
    private const string DevBroker = "Logbus.DevBroker";

    /// <summary>Project → the Logbus projects it may reference, and whether it may use ASP.NET Core.</summary>
    public static readonly IReadOnlyDictionary<string, (string[] MayReference, bool MayUseAspNetCore)> Allowed =
        new Dictionary<string, (string[], bool)>
        {
            // The message contracts know nothing of Logbus: every project may take them without taking anything else.
            [Contracts] = ([], false),
            // The two messaging libraries are general purpose: nothing of Logbus's domain, storage or hosting.
            [Kafka] = ([], true),
            [EfCore] = ([], false),
            // The dev broker is tooling: no service may ship it, only the specs and the dev broker process take it.
            [KafkaTesting] = ([], false),
            // Storage is data access: no HTTP, no hosting defaults.
            [Storage] = ([Contracts, EfCore], false),
            [ServiceDefaults] = ([], true),
            // The import routes take the key model (who may read or cancel an import) from the hosting defaults.
            [ImportsHttp] = ([Storage, ServiceDefaults], true),
            [Api] = ([Contracts, ServiceDefaults, Storage, ImportsHttp, Kafka, EfCore], true),
            [Worker] = ([Contracts, ServiceDefaults, Storage, Kafka, EfCore], true),
            // Query is the read side: it neither produces nor consumes messages.
            [Query] = ([ServiceDefaults, Storage, ImportsHttp], true),
            [DevBroker] = ([KafkaTesting], true),
        };

    public static TheoryData<string> Projects => [.. Allowed.Keys];

    [Fact]
    public void Every_project_under_src_has_a_row_in_the_table()
    {
        var projects = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Order()
            .ToList();
        Assert.Equal(Allowed.Keys.Order(), projects);
    }

    [Fact]
    public void A_project_kept_from_ASP_NET_Core_references_only_projects_kept_from_it_too()
    {
        foreach (var (project, rule) in Allowed.Where(r => !r.Value.MayUseAspNetCore))
        {
            Assert.All(rule.MayReference, reference => Assert.False(Allowed[reference].MayUseAspNetCore,
                $"{project} may not use ASP.NET Core but may reference {reference}, which does"));
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_project_file_references_only_the_projects_its_layer_allows(string project)
    {
        var file = ProjectFile(project);
        var references = file.Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();

        Assert.Empty(references.Except(Allowed[project].MayReference));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_project_file_kept_from_ASP_NET_Core_neither_takes_its_framework_nor_the_web_SDK(string project)
    {
        if (Allowed[project].MayUseAspNetCore)
        {
            return;
        }

        var file = ProjectFile(project);
        Assert.DoesNotContain(file.Descendants("FrameworkReference"), r => r.Attribute("Include")?.Value == "Microsoft.AspNetCore.App");
        Assert.Equal("Microsoft.NET.Sdk", file.Root!.Attribute("Sdk")?.Value);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_compiled_assembly_uses_only_the_Logbus_assemblies_and_frameworks_its_layer_allows(string project)
    {
        using var pe = new PEReader(File.OpenRead(CompiledAssembly(project)));
        var metadata = pe.GetMetadataReader();
        var referenced = metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)).ToList();

        Assert.Empty(referenced.Where(name => name.StartsWith("Logbus.", StringComparison.Ordinal)).Except(Allowed[project].MayReference));
        if (!Allowed[project].MayUseAspNetCore)
        {
            Assert.DoesNotContain(referenced, name => name.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal));
        }
    }

    private static string CompiledAssembly(string project)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, project + ".dll");
        if (File.Exists(beside))
        {
            return beside;
        }

        // The specs do not reference every project (the DevBroker runs as a process): read its own build of the same
        // configuration and framework.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(RepositoryPaths.Root, "src", project, "bin", framework.Parent!.Name, framework.Name, project + ".dll");
        Assert.True(File.Exists(path), $"{project} is not built at {path}");
        return path;
    }

    private static XDocument ProjectFile(string project) =>
        XDocument.Load(Path.Combine(RepositoryPaths.Root, "src", project, project + ".csproj"));
}
