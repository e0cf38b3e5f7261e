// One benchmark client process, routerkit (Go), go-openai or openai-go (see bench/README.md):
//
//	client --client routerkit|go-openai|openai-go --mode stream|seq|concurrent|startup
//	       --url http://127.0.0.1:PORT [--n N] [--repeat R] [--streams S]
//	client --client routerkit --mode hedge --url URL --n N --step JSON --session SID [--hedge-after-ms H]
//
// Prints one JSON line. CPU is getrusage(RUSAGE_SELF) (every thread, the
// engine's runtime included); rss_kb is the process's peak (VmHWM).
// openai-go is the official SDK (github.com/openai/openai-go/v3), go-openai the one routerkit
// is a drop-in for. Build with -tags routerkit_release to link target/release/librouterkit.a,
// and with -tags bench_one,bench_<routerkit|goopenai|openaigo> for a binary of one SDK only
// (bench/run does; without them the binary has all three).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

var start = time.Now()

// Streamed deltas take these in turn: consecutive chunks differ, as a model's tokens do.
var pieces = []string{"The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", "."}

func cpu() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func rssKB() int {
	b, _ := os.ReadFile("/proc/self/status")
	m := regexp.MustCompile(`VmHWM:\s+(\d+)`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(float64(len(s)) * p)
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

// script: the mock's next `count` requests stream `n` one-character deltas.
func script(url string, count, n int) {
	steps := make([]any, count)
	for i := range steps {
		steps[i] = map[string]any{"stream": map[string]any{"pieces": pieces, "repeat": n, "usage": nil}}
	}
	body, _ := json.Marshal(steps)
	r, err := http.Post(url+"/__mock/sessions/default/script", "application/json", bytes.NewReader(body))
	if err != nil || r.StatusCode != 200 {
		panic(fmt.Sprint("script: ", err))
	}
	r.Body.Close()
}

type bench struct {
	chat   func(ctx context.Context) error
	stream func(ctx context.Context, t0 time.Time) (int, float64, error)
}

type backend struct {
	name string // the client's name in the results
	make func(base string) bench
	// hedge runs --mode hedge into out (routerkit only: the other SDKs do not hedge).
	hedge func(base string, n int, hedgeAfterMs float64, step, session string, out map[string]any)
}

// backends, by --client, as the backend_*.go files this binary was built with register them.
// bench/run builds one binary per SDK (-tags bench_one,bench_<sdk>): each SDK's package-level
// state then stays out of the others' processes. openai-go's init leaves about 3 MB of live
// heap that Go's collector marks on every cycle, which added about 12 % to routerkit-go's
// instructions per streamed chunk while both were linked into one binary.
var backends = map[string]backend{}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	which := flag.String("client", "routerkit", "routerkit, go-openai or openai-go")
	mode := flag.String("mode", "", "stream, seq, concurrent or startup")
	url := flag.String("url", "", "mock gateway URL")
	n := flag.Int("n", 1000, "chunks per stream, or requests")
	repeat := flag.Int("repeat", 1, "streams one after the other")
	streams := flag.Int("streams", 200, "concurrent streams")
	hedgeAfterMs := flag.Float64("hedge-after-ms", 0, "hedge mode: hedge after this many ms (0: not hedged)")
	step := flag.String("step", "{}", "hedge mode: the mock step sent as x-mock-step")
	session := flag.String("session", "hedge", "hedge mode: the mock session")
	flag.Parse()
	be, ok := backends[*which]
	if !ok {
		must(fmt.Errorf("--client %s: not in this binary (built with %d backends)", *which, len(backends)))
	}
	name, mk := be.name, be.make
	out := map[string]any{"client": name, "mode": *mode}
	if *mode == "startup" {
		mk("http://127.0.0.1:9/v1")
		out["import_ms"] = float64(time.Since(start).Microseconds()) / 1e3
		out["rss_kb"] = rssKB()
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
		return
	}
	if *mode == "hedge" {
		if be.hedge == nil {
			must(fmt.Errorf("--mode hedge: only routerkit hedges"))
		}
		be.hedge(*url+"/v1", *n, *hedgeAfterMs, *step, *session, out)
		out["rss_kb"] = rssKB()
		js, _ := json.Marshal(out)
		fmt.Println(string(js))
		return
	}
	b := mk(*url + "/v1")
	ctx := context.Background()
	must(b.chat(ctx)) // warm: connection, lazy state
	switch *mode {
	case "stream":
		script(*url, *repeat, *n)
		c0, t0 := cpu(), time.Now()
		chunks := 0
		for i := 0; i < *repeat; i++ {
			k, _, err := b.stream(ctx, time.Now())
			must(err)
			chunks += k
		}
		out["wall_s"], out["cpu_s"], out["chunks"] = time.Since(t0).Seconds(), cpu()-c0, chunks
		if chunks != *n**repeat {
			must(fmt.Errorf("got %d chunks", chunks))
		}
	case "seq":
		lat := make([]float64, 0, *n)
		c0, t0 := cpu(), time.Now()
		for i := 0; i < *n; i++ {
			s := time.Now()
			must(b.chat(ctx))
			lat = append(lat, float64(time.Since(s).Nanoseconds())/1e6)
		}
		out["wall_s"], out["cpu_s"], out["requests"] = time.Since(t0).Seconds(), cpu()-c0, *n
		out["p50_ms"], out["p99_ms"] = pct(lat, 0.5), pct(lat, 0.99)
	case "concurrent":
		script(*url, *streams, *n)
		var wg sync.WaitGroup
		var mu sync.Mutex
		firsts := []float64{}
		total := 0
		var firstErr error
		c0, t0 := cpu(), time.Now()
		for i := 0; i < *streams; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, f, err := b.stream(ctx, t0)
				mu.Lock()
				total += k
				firsts = append(firsts, f)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		must(firstErr)
		out["wall_s"], out["cpu_s"], out["chunks"] = time.Since(t0).Seconds(), cpu()-c0, total
		out["first_p50_ms"], out["first_p99_ms"] = pct(firsts, 0.5), pct(firsts, 0.99)
		if total != *n**streams {
			must(fmt.Errorf("got %d chunks", total))
		}
	default:
		must(fmt.Errorf("unknown mode %q", *mode))
	}
	out["rss_kb"] = rssKB()
	js, _ := json.Marshal(out)
	fmt.Println(string(js))
}
