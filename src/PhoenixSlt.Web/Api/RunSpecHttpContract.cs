using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Web.Api;

/// The run spec in the HTTP API: responses name its fields as the spec does (snake_case, like the POST body and
/// `train --spec`), and the OpenAPI document describes each field with its help and default from the field table.
public static class RunSpecHttpContract
{
    public static IServiceCollection AddRunSpecHttpContract(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolver = (options.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(UseFieldNames));
        services.AddOpenApi(options => options.AddSchemaTransformer((schema, context, _) =>
        {
            if (FieldOf(context.JsonPropertyInfo) is { } field)
                schema.Description = field.Description;
            return Task.CompletedTask;
        }));
        return services;
    }

    /// Renames the properties of <see cref="RunSpec"/> to the field names and leaves out everything else.
    public static void UseFieldNames(JsonTypeInfo typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (typeInfo.Type != typeof(RunSpec))
            return;
        for (int i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (FieldOf(typeInfo.Properties[i]) is { } field)
                typeInfo.Properties[i].Name = field.Name;
            else
                typeInfo.Properties.RemoveAt(i);        // derived values (EffectiveEpochs) are not settings
        }
    }

    private static SpecField? FieldOf(JsonPropertyInfo? property)
        => property is { DeclaringType: var type, AttributeProvider: PropertyInfo info } && type == typeof(RunSpec)
            ? RunSpecFields.FindByProperty(info.Name)
            : null;
}
