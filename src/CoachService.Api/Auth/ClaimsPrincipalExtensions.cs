using System.Security.Claims;

namespace CoachService.Api.Auth;

public static class ClaimsPrincipalExtensions
{
    /// <summary>
    /// The authenticated user's id. Only for endpoints and hubs that require authorization: a
    /// principal without one means the endpoint was left open, which is a bug, not a bad request.
    /// </summary>
    public static Guid GetUserId(this ClaimsPrincipal principal)
    {
        var value = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        return Guid.TryParse(value, out var userId) && userId != Guid.Empty
            ? userId
            : throw new InvalidOperationException("The principal has no user id: is the endpoint missing RequireAuthorization()?");
    }
}
