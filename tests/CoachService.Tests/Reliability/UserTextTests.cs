using System.Text;
using CoachService.Privacy.Encryption;

namespace CoachService.Tests.Reliability;

/// <summary>The stored format of conversation text: AES-256-GCM under the user's key, versioned by its prefix.</summary>
[Trait("Suite", "Reliability")]
public sealed class UserTextTests
{
    private static readonly UserKey Ana = UserKey.Generate(Guid.NewGuid());

    [Fact]
    public void Text_round_trips_and_each_encryption_differs()
    {
        const string text = "Je me sens épuisée — 疲れた 🙂";
        var first = UserText.Encrypt(Ana, text);
        var second = UserText.Encrypt(Ana, text);

        Assert.StartsWith(UserText.Prefix, first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("épuisée", first, StringComparison.Ordinal);
        Assert.Equal(text, UserText.Decrypt(Ana, first));
        Assert.Equal("", UserText.Decrypt(Ana, UserText.Encrypt(Ana, "")));
    }

    [Fact]
    public void A_changed_byte_another_users_key_or_a_truncated_value_is_refused()
    {
        var stored = UserText.Encrypt(Ana, "Only Ana may read this.");
        var bytes = Convert.FromBase64String(stored[UserText.Prefix.Length..]);
        bytes[^1] ^= 0x01;
        var tampered = UserText.Prefix + Convert.ToBase64String(bytes);

        Assert.Throws<UserTextUnreadableException>(() => UserText.Decrypt(Ana, tampered));
        Assert.Throws<UserTextUnreadableException>(() => UserText.Decrypt(UserKey.Generate(Guid.NewGuid()), stored));
        // The same key material under another user id: the ciphertext is bound to its owner too.
        Assert.Throws<UserTextUnreadableException>(() => UserText.Decrypt(new UserKey(Guid.NewGuid(), Ana.Material), stored));
        Assert.Throws<UserTextUnreadableException>(() => UserText.Decrypt(Ana, UserText.Prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes("short"))));
        Assert.Throws<UserTextUnreadableException>(() => UserText.Decrypt(Ana, UserText.Prefix + "not base64!"));
    }

    [Fact]
    public void Text_stored_before_encryption_at_rest_is_read_as_it_is()
    {
        Assert.Equal("Hello coach", UserText.Decrypt(Ana, "Hello coach"));
        Assert.Equal("""[{"insight":"x"}]""", UserText.Decrypt(Ana, """[{"insight":"x"}]"""));
    }
}
