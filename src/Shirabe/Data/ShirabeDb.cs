using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Shirabe.Data;

/// <summary>
/// The fieldwork database. Used concretely (no repositories). Each provider has its own subclass so that each has its
/// own migration set (Data/Migrations/Sqlite, Data/Migrations/Postgres): docs/decisions/007-two-migration-sets.md.
/// </summary>
public abstract class ShirabeDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Series> Series => Set<Series>();
    public DbSet<SurveyRecord> Surveys => Set<SurveyRecord>();
    public DbSet<SurveyVersion> SurveyVersions => Set<SurveyVersion>();
    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<AccessLink> AccessLinks => Set<AccessLink>();
    public DbSet<Draft> Drafts => Set<Draft>();
    public DbSet<Submission> Submissions => Set<Submission>();
    public DbSet<AnswerHistory> AnswerHistory => Set<AnswerHistory>();
    public DbSet<AdminUser> AdminUsers => Set<AdminUser>();
    public DbSet<StoredReportEdits> ReportEdits => Set<StoredReportEdits>();
    public DbSet<AdminSession> AdminSessions => Set<AdminSession>();
    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();
    public DbSet<StaffRole> StaffRoles => Set<StaffRole>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Fieldwork.Mail.OutboxMail> OutboxMails => Set<Fieldwork.Mail.OutboxMail>();
    public DbSet<Fieldwork.Mail.MailSnapshot> MailSnapshots => Set<Fieldwork.Mail.MailSnapshot>();
    public DbSet<Fieldwork.Mail.MailAttempt> MailAttempts => Set<Fieldwork.Mail.MailAttempt>();
    public DbSet<Fieldwork.Mail.Reminder> Reminders => Set<Fieldwork.Mail.Reminder>();
    public DbSet<Fieldwork.Mail.MailBounce> MailBounces => Set<Fieldwork.Mail.MailBounce>();

    /// <summary>The audit log is insert-only: a tracked change or deletion of an entry is refused before it reaches the
    /// database (where triggers refuse it too, for ExecuteUpdate/ExecuteDelete and raw SQL).</summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseAuditChanges();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseAuditChanges();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private void RefuseAuditChanges()
    {
        if (ChangeTracker.Entries<AuditEntry>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
            throw new InvalidOperationException("Audit entries are insert-only.");
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder b)
    {
        // Times are stored in UTC; SQLite gives them back without a kind.
        b.Properties<DateTime>().HaveConversion<UtcConverter>();
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Series>(e =>
        {
            e.Property(x => x.Id).HasMaxLength(40);
            e.Property(x => x.Title).HasMaxLength(200);
        });
        b.Entity<SurveyRecord>(e =>
        {
            e.ToTable("Surveys");
            e.Property(x => x.Id).HasMaxLength(40);
            e.Property(x => x.SeriesId).HasMaxLength(40);
            e.Property(x => x.Title).HasMaxLength(200);
            e.Property(x => x.PreviousSurveyId).HasMaxLength(40);
            e.HasOne<Series>().WithMany().HasForeignKey(x => x.SeriesId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<SurveyRecord>().WithMany().HasForeignKey(x => x.PreviousSurveyId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<SurveyVersion>().WithMany().HasForeignKey(x => x.PublishedVersionId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<SurveyVersion>(e =>
        {
            e.Property(x => x.SurveyId).HasMaxLength(40);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.Property(x => x.Note).HasMaxLength(500);
            e.HasIndex(x => new { x.SurveyId, x.Number }).IsUnique();
            e.HasOne<SurveyRecord>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<AdminUser>().WithMany().HasForeignKey(x => x.CreatedByUserId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Organisation>(e =>
        {
            e.HasIndex(a => new { a.SeriesId, a.Code }).IsUnique();
            e.Property(a => a.SeriesId).HasMaxLength(40);
            e.Property(a => a.Code).HasMaxLength(40);
            e.Property(a => a.Name).HasMaxLength(200);
            e.HasOne<Series>().WithMany().HasForeignKey(x => x.SeriesId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Invitation>(e =>
        {
            e.Property(i => i.SurveyId).HasMaxLength(40);
            e.HasIndex(i => new { i.SurveyId, i.OrganisationId }).IsUnique();
            e.HasIndex(i => i.OrganisationId);
            e.Property(i => i.Category).HasMaxLength(100);
            e.Property(i => i.ContactName).HasMaxLength(100);
            e.Property(i => i.ContactEmail).HasMaxLength(200);
            e.Property(i => i.Cc).HasMaxLength(1000);
            e.HasOne<SurveyRecord>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<AccessLink>(e =>
        {
            e.HasIndex(l => l.TokenHash).IsUnique();
            e.Property(l => l.TokenHash).HasMaxLength(32);
            e.Property(l => l.Stamp).HasMaxLength(16);
        });
        b.Entity<Draft>(e =>
        {
            e.HasIndex(d => d.InvitationId).IsUnique();
            e.Property(d => d.Version).IsConcurrencyToken();
            e.HasOne<SurveyVersion>().WithMany().HasForeignKey(x => x.SurveyVersionId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Submission>(e =>
        {
            e.HasIndex(s => s.InvitationId).IsUnique();
            e.Property(s => s.Version).IsConcurrencyToken();
            e.Property(s => s.ValidityReason).HasMaxLength(500);
            e.Property(s => s.Channel).HasMaxLength(10);
            e.HasOne<SurveyVersion>().WithMany().HasForeignKey(x => x.SurveyVersionId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<AdminUser>().WithMany().HasForeignKey(x => x.ValidityChangedBy).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<AnswerHistory>(e =>
        {
            e.HasIndex(h => new { h.InvitationId, h.Version }).IsUnique();
            e.HasOne<Invitation>().WithMany().HasForeignKey(h => h.InvitationId);
            e.HasOne<SurveyVersion>().WithMany().HasForeignKey(x => x.SurveyVersionId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<AdminUser>(e =>
        {
            e.HasIndex(u => u.Name).IsUnique();
            e.Property(u => u.Name).HasMaxLength(100);
            e.Property(u => u.PasswordHash).HasMaxLength(200);
            e.Property(u => u.Stamp).HasMaxLength(40);
        });
        b.Entity<AdminSession>(e =>
        {
            e.Property(x => x.Id).HasMaxLength(64);
            e.HasOne<AdminUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<SignInThrottle>(e =>
        {
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(64);
            e.HasIndex(x => x.UpdatedAt);
        });
        b.Entity<StaffRole>(e =>
        {
            e.Property(x => x.SeriesId).HasMaxLength(40);
            e.Property(x => x.Role).HasMaxLength(20);
            e.HasIndex(x => new { x.UserId, x.SeriesId }).IsUnique();
            e.HasOne<AdminUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<AuditEntry>(e =>
        {
            e.Property(x => x.Action).HasMaxLength(40);
            e.Property(x => x.Target).HasMaxLength(200);
            e.HasIndex(x => x.At);
            e.HasIndex(x => new { x.UserId, x.At });
            e.HasIndex(x => new { x.Action, x.At });
        });
        b.Entity<StoredReportEdits>(e =>
        {
            e.HasKey(r => r.SurveyId);
            e.Property(r => r.SurveyId).HasMaxLength(40);
            e.Property(r => r.Version).IsConcurrencyToken();
        });
        Fieldwork.Mail.OutboxModel.Configure(b);
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public sealed class SqliteShirabeDb(DbContextOptions<SqliteShirabeDb> options) : ShirabeDb(options);

public sealed class PostgresShirabeDb(DbContextOptions<PostgresShirabeDb> options) : ShirabeDb(options);
