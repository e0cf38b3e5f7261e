package openai

import (
	"encoding/binary"
	"errors"
)

// Reading the records of rk_stream_next_batch_bin (layout documented in
// bindings/c/include/routerkit.h). The engine already parsed every chunk: a
// chunk of the common shape arrives as a fast 'F' record, copied field by field
// into ChatCompletionStreamResponse here, without encoding/json; any other
// chunk arrives as a 'J' record with its JSON text, which Recv hands to
// json.Unmarshal. Both give the same struct values (see chunk_decode_test.go).

const (
	recordFast   = 'F'        // C.RK_CHUNK_FAST
	recordJSON   = 'J'        // C.RK_CHUNK_JSON
	recordAbsent = 0xFFFFFFFF // C.RK_CHUNK_ABSENT
)

var errBadRecord = errors.New("routerkit: malformed chunk record from the library (librouterkit.a out of date?)")

// chunkDecoder keeps the strings of the previous chunk that repeat on every
// chunk (id, object, model…): equal bytes reuse the same Go string instead of
// allocating a new one. Go strings are immutable, so sharing them is invisible.
type chunkDecoder struct {
	id, object, model, fingerprint, role, finish string
}

// recordReader walks a batch; any read past the end sets bad.
type recordReader struct {
	b   []byte
	bad bool
}

func (r *recordReader) take(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.bad = true
		r.b = nil
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *recordReader) u8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *recordReader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *recordReader) i64() int64 {
	if b := r.take(8); b != nil {
		return int64(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// str reads a `str`, or an `ostr` when optional (absent gives nil, false).
func (r *recordReader) str(optional bool) ([]byte, bool) {
	n := r.u32()
	if optional && n == recordAbsent {
		return nil, false
	}
	return r.take(uint64(n)), true
}

// intern returns *cache when it holds the same text as b, else a new string (kept in *cache).
func intern(cache *string, b []byte) string {
	if string(b) == *cache { // compared without allocating
		return *cache
	}
	*cache = string(b)
	return *cache
}

// record reads the record at the start of r: for 'J' it returns the JSON text
// (a sub-slice of the batch), for 'F' it fills *out and returns nil.
func (d *chunkDecoder) record(r *recordReader, out *ChatCompletionStreamResponse) (jsonText []byte, err error) {
	switch r.u8() {
	case recordJSON:
		text := r.take(uint64(r.u32()))
		if r.bad {
			return nil, errBadRecord
		}
		return text, nil
	case recordFast:
	default:
		return nil, errBadRecord
	}
	b, _ := r.str(false)
	out.ID = intern(&d.id, b)
	b, _ = r.str(false)
	out.Object = intern(&d.object, b)
	out.Created = r.i64()
	b, _ = r.str(false)
	out.Model = intern(&d.model, b)
	if b, ok := r.str(true); ok {
		out.SystemFingerprint = intern(&d.fingerprint, b)
	}
	if r.u8() == 1 {
		out.Usage = &Usage{PromptTokens: int(r.u32()), CompletionTokens: int(r.u32()), TotalTokens: int(r.u32())}
	}
	n := r.u32()
	if r.bad || uint64(n) > uint64(len(r.b)) { // every choice takes more than one byte
		return nil, errBadRecord
	}
	out.Choices = make([]ChatCompletionStreamChoice, n)
	for i := range out.Choices {
		c := &out.Choices[i]
		c.Index = int(r.u32())
		if b, ok := r.str(true); ok {
			c.Delta.Role = intern(&d.role, b)
		}
		if b, ok := r.str(true); ok {
			c.Delta.Content = string(b)
		}
		if b, ok := r.str(true); ok {
			c.Delta.ReasoningContent = string(b)
		}
		if b, ok := r.str(true); ok {
			c.Delta.Reasoning = string(b)
		}
		if b, ok := r.str(true); ok {
			c.FinishReason = FinishReason(intern(&d.finish, b))
		}
	}
	if r.bad {
		return nil, errBadRecord
	}
	return nil, nil
}
