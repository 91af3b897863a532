using System.Buffers;
using System.Buffers.Binary;
using System.ComponentModel;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;

namespace B2BKpiApi.Caching;

/// <summary>
/// A computed KPI response exactly as it went on the wire: its content type and UTF-8 JSON body.
/// Marked immutable so that HybridCache hands out the one in-memory instance on every hit instead
/// of a defensive copy: nothing may write to <see cref="Body"/> after it is created.
/// </summary>
[ImmutableObject(true)]
public sealed class CachedKpiResponse(string contentType, byte[] body)
{
    public string ContentType { get; } = contentType;
    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>The Redis form: content type length (int32 LE), content type (UTF-8), body. No JSON round trip.</summary>
    public sealed class Serializer : IHybridCacheSerializer<CachedKpiResponse>
    {
        public CachedKpiResponse Deserialize(ReadOnlySequence<byte> source)
        {
            var bytes = source.ToArray();
            var typeLength = BinaryPrimitives.ReadInt32LittleEndian(bytes);
            var contentType = Encoding.UTF8.GetString(bytes, sizeof(int), typeLength);
            return new CachedKpiResponse(contentType, bytes[(sizeof(int) + typeLength)..]);
        }

        public void Serialize(CachedKpiResponse value, IBufferWriter<byte> target)
        {
            var typeLength = Encoding.UTF8.GetByteCount(value.ContentType);
            var span = target.GetSpan(sizeof(int) + typeLength);
            BinaryPrimitives.WriteInt32LittleEndian(span, typeLength);
            Encoding.UTF8.GetBytes(value.ContentType, span[sizeof(int)..]);
            target.Advance(sizeof(int) + typeLength);
            target.Write(value.Body.Span);
        }
    }
}
