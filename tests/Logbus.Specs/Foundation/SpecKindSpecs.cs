using System.Reflection;

namespace Logbus.Specs.Foundation;

/// <summary>
/// Every spec class says what kind of spec it is with <c>[Trait("Kind", …)]</c>, so <c>./logbus test --fast</c>
/// (<c>--filter Kind=Unit</c>) and the other kind filters select whole classes and a new class cannot slip past them:
/// <list type="bullet">
/// <item><c>Unit</c>: logic only; none of its specs starts a server or a process, touches the network, or writes to the
/// disk (reading the repository's own files, as the layout and line-length checks do, is fine).</item>
/// <item><c>Integration</c>: real PostgreSQL, Redis, the Kafka protocol, the services or external tools.</item>
/// <item><c>Browser</c>: drives the web UI in Chromium through Playwright.</item>
/// <item><c>Chaos</c>: at least one of its specs takes a dependency down or kills a service process.</item>
/// </list>
/// A class has one kind, the one its most demanding spec needs; the kind goes on the class, never on a method.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class SpecKindSpecs
{
    private const BindingFlags AllMethods = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly string[] Kinds = ["Unit", "Integration", "Browser", "Chaos"];

    [Fact]
    public void Every_spec_class_has_exactly_one_known_kind()
    {
        var specClasses = typeof(SpecKindSpecs).Assembly.GetTypes().Where(HasSpecs).ToList();

        Assert.Contains(typeof(SpecKindSpecs), specClasses);
        var wrong = specClasses
            .Select(type => (type.FullName, Kinds: KindTraits(type)))
            .Where(c => c.Kinds.Count != 1 || !Kinds.Contains(c.Kinds[0]))
            .Select(c => $"{c.FullName}: [{string.Join(", ", c.Kinds)}]")
            .ToList();
        Assert.True(wrong.Count == 0, "Each spec class needs exactly one [Trait(\"Kind\", …)] of "
            + $"{string.Join(", ", Kinds)}:\n{string.Join('\n', wrong)}");
    }

    [Fact]
    public void No_spec_method_has_a_kind_of_its_own()
    {
        var methods = typeof(SpecKindSpecs).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(AllMethods | BindingFlags.DeclaredOnly))
            .Where(method => KindTraits(method).Count > 0)
            .Select(method => $"{method.DeclaringType!.FullName}.{method.Name}")
            .ToList();

        // A method's trait adds to its class's, so such a spec would have two kinds and run under both filters.
        Assert.True(methods.Count == 0, $"Kinds belong on the class:\n{string.Join('\n', methods)}");
    }

    private static bool HasSpecs(Type type) =>
        !type.IsAbstract
        && type.GetMethods(AllMethods)
            .Any(method => method.IsDefined(typeof(FactAttribute), inherit: true));

    private static List<string> KindTraits(MemberInfo member) =>
        [.. member.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == "Kind")
            .Select(a => (string?)a.ConstructorArguments[1].Value ?? "")];
}
