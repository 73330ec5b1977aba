using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Core;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CoachService.Llm.OpenAi;

/// <summary>
/// Makes the vendor SDK's <see cref="IChatClient"/> (Microsoft.Extensions.AI.OpenAI's <c>AsIChatClient()</c>)
/// for the configured provider. The only place that sees an OpenAI or Azure SDK client type.
/// </summary>
internal static class ProviderChatClients
{
    /// <summary>Sent when no key is configured: local servers (Ollama, vLLM, LM Studio) ignore it, the SDK insists on one.</summary>
    public const string PlaceholderApiKey = "no-key";

    /// <summary>The Microsoft Entra ID scope of Azure OpenAI (Cognitive Services) tokens.</summary>
    public const string AzureTokenScope = "https://cognitiveservices.azure.com/.default";

    public const string AzureApiKeyHeader = "api-key";

    /// <param name="options">Validated options naming "openai" or "azure".</param>
    /// <param name="entraCredential">Asked for only when Azure is used without a key.</param>
    public static IChatClient Create(LlmOptions options, Func<TokenCredential> entraCredential)
    {
        var model = options.Model!;
        if (!options.IsAzure)
        {
            var sdkOptions = WithoutSdkRetries(new OpenAIClientOptions());
            if (!string.IsNullOrWhiteSpace(options.Endpoint))
            {
                sdkOptions.Endpoint = new Uri(options.Endpoint);
            }

            return new OpenAIClient(new ApiKeyCredential(HasKey(options) ? options.ApiKey! : PlaceholderApiKey), sdkOptions)
                .GetChatClient(model).AsIChatClient();
        }

        var endpoint = new Uri(options.Endpoint!);
        if (options.IsAzureV1Endpoint)
        {
            // Azure.AI.OpenAI speaks only the classic deployment paths; the v1 API is the plain OpenAI
            // protocol at .../openai/v1/, authenticated the Azure way.
            AuthenticationPolicy authentication = HasKey(options)
                ? ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(new ApiKeyCredential(options.ApiKey!), AzureApiKeyHeader)
                : new BearerTokenPolicy(entraCredential(), AzureTokenScope);
            // The constructor taking an authentication policy is marked experimental (OPENAI001); it is
            // the SDK's only way to send Azure's api-key header or an Entra ID token.
#pragma warning disable OPENAI001
            return new OpenAIClient(authentication, WithoutSdkRetries(new OpenAIClientOptions { Endpoint = endpoint }))
                .GetChatClient(model).AsIChatClient();
#pragma warning restore OPENAI001
        }

        var azureOptions = WithoutSdkRetries(
            string.IsNullOrWhiteSpace(options.ApiVersion)
                ? new AzureOpenAIClientOptions()
                : new AzureOpenAIClientOptions(AzureApiVersions.Find(options.ApiVersion) ?? throw new InvalidOperationException("Llm:ApiVersion was validated at start-up.")));
        var azure = HasKey(options)
            ? new AzureOpenAIClient(endpoint, new ApiKeyCredential(options.ApiKey!), azureOptions)
            : new AzureOpenAIClient(endpoint, entraCredential(), azureOptions);
        return azure.GetChatClient(model).AsIChatClient();
    }

    /// <summary>How the provider authenticates, for the start-up log line (never the key itself).</summary>
    public static string Authentication(LlmOptions options) =>
        HasKey(options) ? (options.IsAzure ? "API key (api-key header)" : "API key")
        : options.IsAzure ? "Microsoft Entra ID (DefaultAzureCredential)"
        : "none (placeholder key)";

    /// <summary>What kind of endpoint is called, for the start-up log line.</summary>
    public static string Kind(LlmOptions options) =>
        !options.IsAzure ? "OpenAI-compatible API"
        : options.IsAzureV1Endpoint ? "Azure OpenAI v1 API"
        : $"Azure OpenAI classic deployment, api-version {(string.IsNullOrWhiteSpace(options.ApiVersion) ? "(library default)" : options.ApiVersion)}";

    public static string EndpointOf(LlmOptions options) =>
        string.IsNullOrWhiteSpace(options.Endpoint) ? "https://api.openai.com/v1" : options.Endpoint;

    private static bool HasKey(LlmOptions options) => !string.IsNullOrWhiteSpace(options.ApiKey);

    /// <summary>
    /// Exactly one retry/timeout layer, ours (ResilientChatClient): the SDK's would multiply attempts
    /// and hide the delays and failures we want to see, and its network timeout would cut long streams.
    /// </summary>
    private static T WithoutSdkRetries<T>(T options)
        where T : ClientPipelineOptions
    {
        options.RetryPolicy = new ClientRetryPolicy(maxRetries: 0);
        options.NetworkTimeout = Timeout.InfiniteTimeSpan;
        return options;
    }
}
