using Cl2.Labeling.Models;

namespace Cl2.Labeling.Tests;

/// <summary>Choosing and clearing a model's shadow: the decide functions and the aggregate, no database.</summary>
public sealed class ShadowModeDecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static Model WithVersion(Model model, Guid versionId) => Model.Apply(new ModelVersionRegistered(model.Id, versionId,
        model.Versions.Count + 1, [], new ModelLineage(null, [], [], Digest, "git:1"), Digest, "ml", Now), model);

    /// <summary>A model with v1 in production and two candidates, v2 and v3.</summary>
    private static (Model Model, Guid V1, Guid V2, Guid V3) Registry()
    {
        var (v1, v2, v3) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var model = Model.Create(new ModelRegistered(Guid.NewGuid(), "liver", "liver-ct", "ml", Now));
        model = WithVersion(WithVersion(WithVersion(model, v1), v2), v3);
        return (Model.Apply(new ModelVersionPromoted(model.Id, v1, null, "ml", Now), model), v1, v2, v3);
    }

    private static Model Shadowed(Model model, Guid versionId) => ShadowModelVersion.Decide(model, new ShadowModelVersion(model.Id, versionId), "ml", Now)
        .Cast<ModelVersionShadowed>().Aggregate(model, (state, shadowed) => Model.Apply(shadowed, state));

    [Fact]
    public void a_candidate_becomes_the_models_shadow()
    {
        var (model, _, v2, _) = Registry();

        var shadowed = Assert.IsType<ModelVersionShadowed>(Assert.Single(ShadowModelVersion.Decide(model, new ShadowModelVersion(model.Id, v2), "ml", Now)));

        Assert.Equal((v2, (Guid?)null, "ml"), (shadowed.VersionId, shadowed.ReplacedVersionId, shadowed.ShadowedBy));
        Assert.Equal(v2, Model.Apply(shadowed, model).ActiveShadow()?.VersionId);
    }

    [Fact]
    public void a_new_shadow_replaces_the_one_before_and_says_which()
    {
        var (model, _, v2, v3) = Registry();
        model = Shadowed(model, v2);

        var shadowed = Assert.IsType<ModelVersionShadowed>(Assert.Single(ShadowModelVersion.Decide(model, new ShadowModelVersion(model.Id, v3), "ml", Now)));

        Assert.Equal((v3, (Guid?)v2), (shadowed.VersionId, shadowed.ReplacedVersionId));
    }

    [Fact]
    public void shadowing_the_shadow_again_changes_nothing()
    {
        var (model, _, v2, _) = Registry();
        model = Shadowed(model, v2);

        Assert.Empty(ShadowModelVersion.Decide(model, new ShadowModelVersion(model.Id, v2), "ml", Now));
    }

    [Fact]
    public void the_production_version_cannot_be_a_shadow()
    {
        var (model, v1, _, _) = Registry();

        var refused = Assert.Throws<DomainException>(() => ShadowModelVersion.Decide(model, new ShadowModelVersion(model.Id, v1), "ml", Now));

        Assert.Equal(ErrorCodes.ModelStageInvalid, refused.Code);
    }

    [Fact]
    public void a_rejected_version_cannot_be_a_shadow()
    {
        var (model, _, v2, _) = Registry();
        model = Model.Apply(new ModelVersionRejected(model.Id, v2, "worse", "gate", Now), model);

        var refused = Assert.Throws<DomainException>(() => ShadowModelVersion.Decide(model, new ShadowModelVersion(model.Id, v2), "ml", Now));

        Assert.Equal(ErrorCodes.ModelStageInvalid, refused.Code);
    }

    [Fact]
    public void a_retired_version_cannot_be_a_shadow()
    {
        var (model, _, v2, _) = Registry();
        model = Model.Apply(new ModelVersionRetired(model.Id, v2, "ml", Now), model);

        var refused = Assert.Throws<DomainException>(() => ShadowModelVersion.Decide(model, new ShadowModelVersion(model.Id, v2), "ml", Now));

        Assert.Equal(ErrorCodes.ModelStageInvalid, refused.Code);
    }

    [Fact]
    public void an_unknown_version_cannot_be_a_shadow()
    {
        var (model, _, _, _) = Registry();

        var refused = Assert.Throws<DomainException>(() => ShadowModelVersion.Decide(model, new ShadowModelVersion(model.Id, Guid.NewGuid()), "ml", Now));

        Assert.Equal(ErrorCodes.ModelVersionNotFound, refused.Code);
    }

    [Fact]
    public void an_unknown_model_has_no_shadow_to_set()
    {
        var refused = Assert.Throws<DomainException>(() => ShadowModelVersion.Decide(null, new ShadowModelVersion(Guid.NewGuid(), Guid.NewGuid()), "ml", Now));

        Assert.Equal(ErrorCodes.ModelNotFound, refused.Code);
    }

    [Fact]
    public void a_shadow_ends_when_its_version_is_promoted()
    {
        var (model, v1, v2, _) = Registry();
        model = Shadowed(model, v2);

        model = Model.Apply(new ModelVersionPromoted(model.Id, v2, v1, "ml", Now), model);

        Assert.Null(model.ActiveShadow());
        Assert.Empty(ClearModelShadow.Decide(model, new ClearModelShadow(model.Id), "ml", Now));
    }

    [Fact]
    public void clearing_names_the_shadow_it_stopped()
    {
        var (model, _, v2, _) = Registry();
        model = Shadowed(model, v2);

        var cleared = Assert.IsType<ModelShadowCleared>(Assert.Single(ClearModelShadow.Decide(model, new ClearModelShadow(model.Id), "ml", Now)));

        Assert.Equal(v2, cleared.VersionId);
        Assert.Null(Model.Apply(cleared, model).ActiveShadow());
    }

    [Fact]
    public void clearing_a_model_without_a_shadow_changes_nothing()
    {
        var (model, _, _, _) = Registry();

        Assert.Empty(ClearModelShadow.Decide(model, new ClearModelShadow(model.Id), "ml", Now));
    }
}
