// Package results is the format of bench/results/results.json: every load
// run of every server under every workload, the medians per server and
// workload, and the idle-memory figures. cmd/benchreport writes it and
// cmd/chart draws it.
package results

import (
	"encoding/json"
	"os"
)

// File is the whole of results.json.
type File struct {
	Date        string     `json:"date"`    // RFC 3339, when the report was written
	Nproc       int        `json:"nproc"`   // CPUs online
	Command     string     `json:"command"` // how the runs were made
	Duration    string     `json:"duration"`
	RunsPerCell int        `json:"runs_per_cell"`
	Servers     []string   `json:"servers"`   // in the order to show them
	Workloads   []Workload `json:"workloads"` // in the order to show them
	Runs        []Run      `json:"runs"`
	Medians     []Median   `json:"medians"`
	Idle        []Idle     `json:"idle"`
}

// Workload names one load shape.
type Workload struct {
	Name  string `json:"name"`
	Conns int    `json:"conns"`
	Size  int    `json:"size"`
	Depth int    `json:"depth"`
}

// Load is what the load generator writes for one run (-json). Fields it may
// leave out, such as the server's CPU time or an open-loop run's account,
// are pointers.
type Load struct {
	Server            string    `json:"server"`
	Conns             int       `json:"conns"`
	Size              int       `json:"size"`
	Depth             int       `json:"depth"`
	DurationS         float64   `json:"duration_s"`
	Msgs              float64   `json:"msgs"`
	MsgsPerS          float64   `json:"msgs_per_s"`
	MBPerS            float64   `json:"mb_per_s"`
	P50NS             float64   `json:"p50_ns"`
	P99NS             float64   `json:"p99_ns"`
	P999NS            float64   `json:"p999_ns"`
	MaxNS             float64   `json:"max_ns"`
	ServerCPUS        *float64  `json:"server_cpu_s"`
	ServerCPUPerMsgNS *float64  `json:"server_cpu_per_msg_ns"`
	ClientCPUPerMsgNS *float64  `json:"client_cpu_per_msg_ns"`
	Errors            float64   `json:"errors"`
	Rate              float64   `json:"rate"`      // offered msgs/s; 0: closed loop
	TLS               string    `json:"tls"`       // what a TLS run negotiated
	Open              *OpenLoad `json:"open_loop"` // open loop: the generator's account
}

// Run is one load run against one server.
type Run struct {
	Server   string          `json:"server"`
	Workload string          `json:"workload"`
	Run      int             `json:"run"`
	Result   json.RawMessage `json:"result"` // the load generator's JSON, as written
	Load     Load            `json:"-"`
}

// Median holds, for one server and workload, the median of each figure
// over its runs (each figure on its own, so they may come from different
// runs). A figure no run reported is nil.
type Median struct {
	Server            string   `json:"server"`
	Workload          string   `json:"workload"`
	Runs              int      `json:"runs"`
	MsgsPerS          float64  `json:"msgs_per_s"`
	MBPerS            float64  `json:"mb_per_s"`
	P50NS             float64  `json:"p50_ns"`
	P99NS             float64  `json:"p99_ns"`
	P999NS            float64  `json:"p999_ns"`
	ServerCPUPerMsgNS *float64 `json:"server_cpu_per_msg_ns"`
	ClientCPUPerMsgNS *float64 `json:"client_cpu_per_msg_ns"`
	Errors            float64  `json:"errors"` // the sum over the runs
}

// Idle is the load generator's -idle result for one server.
type Idle struct {
	Server          string  `json:"server"`
	IdleConns       int     `json:"idle_conns"`
	RSSBefore       float64 `json:"rss_before"`
	RSSAfter        float64 `json:"rss_after"`
	RSSPerConnBytes float64 `json:"rss_per_conn_bytes"`
}

// Read loads a results file.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	for i := range f.Runs {
		_ = json.Unmarshal(f.Runs[i].Result, &f.Runs[i].Load)
	}
	return &f, nil
}

// Median returns the median for server and workload, or nil.
func (f *File) Median(server, workload string) *Median {
	for i := range f.Medians {
		if f.Medians[i].Server == server && f.Medians[i].Workload == workload {
			return &f.Medians[i]
		}
	}
	return nil
}

// IdleOf returns the idle result of server, or nil.
func (f *File) IdleOf(server string) *Idle {
	for i := range f.Idle {
		if f.Idle[i].Server == server {
			return &f.Idle[i]
		}
	}
	return nil
}
