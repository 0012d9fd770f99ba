using System.Text.Json;
using k8s.Models;

namespace KubeMonitor.Exporter.Kubernetes;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    /// <summary>Only moves the resourceVersion on (allowWatchBookmarks), so a later watch resumes from there.</summary>
    Bookmark,
    /// <summary>The server ends the watch with a Status; code 410 means the resourceVersion is too old.</summary>
    Error,
}

/// <summary>One line of a watch stream: an object (a pod, a node), or the Status of an ERROR event.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T? Item, V1Status? Status) where T : class;

public static class WatchEvent
{
    /// <summary>Parses one line of the newline-delimited JSON a watch of <typeparamref name="T"/> answers with.</summary>
    /// <exception cref="FormatException">The line is not a watch event.</exception>
    public static WatchEvent<T> Parse<T>(string line) where T : class
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = root.GetProperty("type").GetString() switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                "ERROR" => WatchEventType.Error,
                var other => throw new FormatException($"unknown watch event type '{other}'"),
            };
            var body = root.GetProperty("object");
            return type == WatchEventType.Error
                ? new WatchEvent<T>(type, null, body.Deserialize(KubernetesModelsJson.Default.V1Status))
                : new WatchEvent<T>(type, (T?)body.Deserialize(typeof(T), KubernetesModelsJson.Default), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("not a watch event: " + Shorten(line), e);
        }
    }

    private static string Shorten(string line) => line.Length <= 200 ? line : line[..200] + "...";
}
