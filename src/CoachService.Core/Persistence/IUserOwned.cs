namespace CoachService.Persistence;

/// <summary>A row that belongs to one user: filtered by the context's user and by PostgreSQL row level security.</summary>
public interface IUserOwned
{
    Guid UserId { get; }
}
