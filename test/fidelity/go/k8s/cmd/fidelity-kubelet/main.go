// fidelity-kubelet: the one piece of a kubelet the fidelity bed needs: the streaming
// exec endpoint kube-apiserver proxies `pods/exec` to. It speaks the kubelet's own
// protocol (SPDY/WebSocket via k8s.io/kubelet's remotecommand) and hands each command to
// an HTTP callback of the test harness, which answers with stdout, stderr and an exit
// code (the twin decides what `etcdctl …` in an etcd pod prints). Non-interactive: stdin
// is read to its end before the callback is called. Loopback addresses only.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	remotecommandconsts "k8s.io/apimachinery/pkg/util/remotecommand"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/remotecommand"
	kubeletremote "k8s.io/kubelet/pkg/cri/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

type execRequest struct {
	Namespace string   `json:"namespace"`
	Pod       string   `json:"pod"`
	Container string   `json:"container"`
	Command   []string `json:"command"`
	Stdin     string   `json:"stdin,omitempty"`
}

type execReply struct {
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	ExitCode int    `json:"exitCode"`
}

// callbackExecutor implements the kubelet's Executor by asking the harness.
type callbackExecutor struct {
	url       string
	namespace string
	client    *http.Client
}

func (e *callbackExecutor) ExecInContainer(ctx context.Context, pod string, _ types.UID, container string, cmd []string,
	in io.Reader, out, errOut io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	req := execRequest{Namespace: e.namespace, Pod: pod, Container: container, Command: cmd}
	if in != nil {
		b, err := io.ReadAll(in)
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
		req.Stdin = string(b)
	}
	body, _ := json.Marshal(req)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(hreq)
	if err != nil {
		return fmt.Errorf("exec callback: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("exec callback answered %d: %s", resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	var reply execReply
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return fmt.Errorf("exec callback reply: %w", err)
	}
	if out != nil {
		_, _ = io.WriteString(out, reply.Stdout)
	}
	if errOut != nil {
		_, _ = io.WriteString(errOut, reply.Stderr)
	}
	if reply.ExitCode != 0 {
		return utilexec.CodeExitError{Err: fmt.Errorf("command terminated with exit code %d", reply.ExitCode), Code: reply.ExitCode}
	}
	return nil
}

// handler serves /exec/{namespace}/{pod}/{container} (and /exec/{ns}/{pod}/{uid}/{container}).
func handler(execURL string) http.Handler {
	client := &http.Client{Timeout: 5 * time.Minute}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("/exec/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/exec/"), "/")
		if len(parts) != 3 && len(parts) != 4 {
			http.Error(w, "want /exec/{namespace}/{pod}/{container}", http.StatusNotFound)
			return
		}
		ns, pod, container := parts[0], parts[1], parts[len(parts)-1]
		opts, err := kubeletremote.NewOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		cmd := r.URL.Query()["command"]
		exec := &callbackExecutor{url: execURL, namespace: ns, client: client}
		kubeletremote.ServeExec(w, r, exec, pod, "", container, cmd, opts, 4*time.Hour, 30*time.Second,
			remotecommandconsts.SupportedStreamingProtocols)
	})
	return mux
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var listen listFlag
	flag.Var(&listen, "listen", "host:port to serve on (repeatable; loopback only)")
	certFile := flag.String("tls-cert", "", "serving certificate (PEM)")
	keyFile := flag.String("tls-key", "", "serving key (PEM)")
	execURL := flag.String("exec-url", "", "harness callback for exec (http://127.0.0.1:N/exec)")
	flag.Parse()
	if len(listen) == 0 || *certFile == "" || *keyFile == "" || *execURL == "" {
		log.Fatal("usage: fidelity-kubelet --listen 127.0.0.1:PORT --tls-cert F --tls-key F --exec-url URL")
	}
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("loading TLS key pair: %v", err)
	}
	h := handler(*execURL)
	var wg sync.WaitGroup
	for _, addr := range listen {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			log.Fatalf("--listen %q: %v", addr, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			log.Fatalf("--listen %q: only loopback addresses are allowed", addr)
		}
		ln, err := tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		if err != nil {
			log.Fatalf("listen %s: %v", addr, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			log.Printf("fidelity-kubelet serving on %s", addr)
			log.Print(http.Serve(ln, h))
		}()
	}
	wg.Wait()
}
