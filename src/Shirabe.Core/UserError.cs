namespace Shirabe.Core;

/// <summary>
/// A problem the user can fix (a broken definition or responses file, a bad argument, a refused operation): its
/// message is Japanese and meant for them. Every other exception is a bug or an environment failure.
/// </summary>
public class UserError(string message, Exception? inner = null) : Exception(message, inner);
