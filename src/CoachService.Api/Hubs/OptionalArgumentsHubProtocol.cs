using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace CoachService.Api.Hubs;

/// <summary>
/// SignalR's JSON protocol, where a hub method's trailing parameters with a default value may be left
/// out: SignalR binds arguments by position and refuses a call with fewer than the method has
/// (dotnet/aspnetcore#8853), so a parameter added later would break every client that does not send it.
/// A call that fails to bind is parsed again with the optional parameters dropped, from the last, and
/// the defaults are filled in. Everything else is <see cref="JsonHubProtocol"/>'s own.
/// </summary>
public sealed class OptionalArgumentsHubProtocol(IHubProtocol json, Type hub) : IHubProtocol
{
    private readonly Dictionary<string, ParameterInfo[]> optionalMethods = hub
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(m => m.GetParameters().Any(p => p.HasDefaultValue))
        .ToDictionary(m => m.Name, m => m.GetParameters(), StringComparer.OrdinalIgnoreCase);

    public string Name => json.Name;

    public int Version => json.Version;

    public TransferFormat TransferFormat => json.TransferFormat;

    public bool IsVersionSupported(int version) => json.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => json.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => json.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var original = input;
        if (!json.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage failure && optionalMethods.TryGetValue(failure.Target, out var parameters))
        {
            var required = parameters.TakeWhile(p => !p.HasDefaultValue).Count();
            for (var given = parameters.Length - 1; given >= required; given--)
            {
                var again = original;
                if (json.TryParseMessage(ref again, new FewerArguments(binder, given), out var shorter) && shorter is InvocationMessage call)
                {
                    var arguments = call.Arguments.Concat(parameters.Skip(given).Select(p => p.DefaultValue)).ToArray();
                    message = new InvocationMessage(call.InvocationId, call.Target, arguments, call.StreamIds) { Headers = call.Headers };
                    break;
                }
            }
        }

        return true;
    }

    /// <summary>The hub's binder, with only the first <paramref name="count"/> parameters of a method.</summary>
    private sealed class FewerArguments(IInvocationBinder binder, int count) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => binder.GetParameterTypes(methodName).Take(count).ToList();

        public Type GetReturnType(string invocationId) => binder.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => binder.GetStreamItemType(streamId);

        public string? GetTarget(ReadOnlySpan<byte> utf8Bytes) => binder.GetTarget(utf8Bytes);
    }
}
