using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Api;

/// <summary>
/// Reads <c>?labelSelector=</c> text into a <see cref="LabelSelector"/>. Written here rather than
/// taken from KubernetesClient, which sends selectors to the API server as text and has no parser.
/// </summary>
internal static class LabelSelectorParser
{
    /// <summary>
    /// <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c>, <c>!a</c>,
    /// joined by commas, spaces allowed between tokens; keys and values checked as Kubernetes checks labels.
    /// </summary>
    /// <exception cref="FormatException">With what is wrong and where.</exception>
    public static LabelSelector Parse(string text) => new SelectorParser(text).Parse();

    /// <summary>A recursive-descent parser over the tokens of Kubernetes' selector lexer.</summary>
    private sealed class SelectorParser(string text)
    {
        private const string Specials = "!=(),<>";
        private int _at;

        public LabelSelector Parse()
        {
            var requirements = new List<LabelRequirement>();
            SkipSpace();
            if (_at == text.Length) return new LabelSelector(requirements);
            while (true)
            {
                requirements.Add(Requirement());
                SkipSpace();
                if (_at == text.Length) return new LabelSelector(requirements);
                Expect(',');
            }
        }

        private LabelRequirement Requirement()
        {
            SkipSpace();
            if (TryTake("!")) return new LabelRequirement(Key(), LabelOperator.DoesNotExist, []);
            var key = Key();
            SkipSpace();
            if (_at == text.Length || text[_at] == ',') return new LabelRequirement(key, LabelOperator.Exists, []);
            if (TryTake("==") || TryTake("=")) return new LabelRequirement(key, LabelOperator.Equal, [Value()]);
            if (TryTake("!=")) return new LabelRequirement(key, LabelOperator.NotEqual, [Value()]);
            var start = _at;
            var word = Identifier();
            var op = word switch
            {
                "in" => LabelOperator.In,
                "notin" => LabelOperator.NotIn,
                _ => throw Error(start, $"expected =, ==, !=, in or notin after '{key}', found '{(word.Length > 0 ? word : text[start].ToString())}'"),
            };
            return new LabelRequirement(key, op, ValueSet());
        }

        private string Key()
        {
            SkipSpace();
            var start = _at;
            var key = Identifier();
            if (key.Length == 0) throw Error(start, "expected a label key");
            if (key is "in" or "notin") throw Error(start, $"'{key}' is an operator, not a key");
            if (!KubernetesLabels.IsKey(key)) throw Error(start, $"'{key}' is not a label key (an optional DNS-1123 prefix and '/', then 1 to 63 characters of [A-Za-z0-9._-] starting and ending with a letter or digit)");
            return key;
        }

        /// <summary>A value, which may be empty (<c>a=</c>, <c>a in (,x)</c>).</summary>
        private string Value()
        {
            SkipSpace();
            var start = _at;
            var value = Identifier();
            if (!KubernetesLabels.IsValue(value)) throw Error(start, $"'{value}' is not a label value (at most 63 characters of [A-Za-z0-9._-] starting and ending with a letter or digit)");
            return value;
        }

        private List<string> ValueSet()
        {
            SkipSpace();
            Expect('(');
            SkipSpace();
            if (_at < text.Length && text[_at] == ')') throw Error(_at, "in and notin need at least one value");
            var values = new List<string>();
            while (true)
            {
                values.Add(Value());
                SkipSpace();
                if (TryTake(")")) return values;
                Expect(',');
            }
        }

        private string Identifier()
        {
            var start = _at;
            while (_at < text.Length && !char.IsWhiteSpace(text[_at]) && !Specials.Contains(text[_at], StringComparison.Ordinal)) _at++;
            return text[start.._at];
        }

        private bool TryTake(string token)
        {
            if (string.CompareOrdinal(text, _at, token, 0, token.Length) != 0) return false;
            _at += token.Length;
            return true;
        }

        private void Expect(char c)
        {
            if (_at < text.Length && text[_at] == c)
            {
                _at++;
                return;
            }
            throw Error(_at, $"expected '{c}', found {(_at < text.Length ? $"'{text[_at]}'" : "the end")}");
        }

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at])) _at++;
        }

        private static FormatException Error(int at, string message) => new($"{message} at position {at + 1}");
    }
}
