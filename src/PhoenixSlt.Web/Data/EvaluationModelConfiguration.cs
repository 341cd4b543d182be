using Microsoft.EntityFrameworkCore;

namespace PhoenixSlt.Web.Data;

/// Tables of checkpoint evaluations: "evaluations" and "evaluation_sentences".
public static class EvaluationModelConfiguration
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<EvaluationEntity>(evaluation =>
        {
            evaluation.ToTable("evaluations");
            evaluation.Property(e => e.Dataset).HasMaxLength(200);
            evaluation.Property(e => e.Split).HasMaxLength(16);
            evaluation.Property(e => e.Status).HasMaxLength(16);
            evaluation.HasIndex(e => e.CheckpointId);
            evaluation.HasIndex(e => e.Status);
            evaluation.HasOne<CheckpointEntity>().WithMany().HasForeignKey(e => e.CheckpointId).OnDelete(DeleteBehavior.Cascade);
            evaluation.HasMany(e => e.Sentences).WithOne().HasForeignKey(s => s.EvaluationId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<EvaluationSentence>(sentence =>
        {
            sentence.ToTable("evaluation_sentences");
            sentence.HasIndex(s => new { s.EvaluationId, s.Index }).IsUnique();
        });
    }
}
