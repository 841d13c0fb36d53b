namespace Logbus.Messaging.EntityFrameworkCore.Configuration;

internal static class MessagingRegistration
{
    /// <summary>The name of a DbContext's named options: inbox settings exist once per DbContext type.</summary>
    public static string OptionsName<TDbContext>() => typeof(TDbContext).FullName!;
}
