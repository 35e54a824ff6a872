using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;

namespace Cl2.Labeling.Cases;

/// <summary>
/// The cases of one study, whatever their dataset: how the review page, opened by a PACS with only a Study Instance UID,
/// finds the case a radiologist's corrected label is submitted to (the model's feedback dataset, a training dataset).
/// </summary>
public static class StudyCaseQueries
{
    public static void AddFields(ObjectGraphType query)
    {
        var cases = query.Field<NonNullGraphType<ConnectionType<CaseGraphType>>, Connection<Case>>("studyCases")
            .AuthorizeWithRoles(Roles.Anyone)
            .Description("The cases of a study in every dataset that holds it, oldest first, paged. A research dataset's cases name the study's pseudonym, not the PACS's UID.")
            .Argument<NonNullGraphType<StringGraphType>>("study", argument => argument.Description = "Study Instance UID.");
        Page.AddArguments(cases);
        cases.ResolveAsync(async context =>
        {
            var study = context.GetArgument<string>("study");
            return await context.PageAsync<Case>(all => all
                .Where(@case => @case.StudyInstanceUid == study)
                .OrderBy(@case => @case.AddedAt)
                .ThenBy(@case => @case.Id));
        });
    }
}
