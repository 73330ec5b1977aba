namespace CoachService.Tests.Conversations;

internal sealed record ReplyChunkView(int Sequence, string Text, bool SentenceEnd, string TurnId);
