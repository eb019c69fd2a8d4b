package imdb

import (
	"io"
	"sync/atomic"
)

// readAhead reads its source in a goroutine of its own, a few chunks
// ahead of the parsing. Decompressing IMDb's files is most of the reading,
// and during the passes that choose the titles the database is not
// writing yet: the second core would otherwise be idle.
type readAhead struct {
	chunks   chan chunk
	free     chan []byte
	done     chan struct{} // closed by stop
	finished chan struct{} // closed when the goroutine has returned
	cur      chunk
	unread   []byte
}

type chunk struct {
	data []byte
	err  error // after data: what ended the source
}

// readAheadChunk is how much is read at once; readAheadChunks how many
// chunks may wait.
const (
	readAheadChunk  = 256 << 10
	readAheadChunks = 4
)

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		chunks:   make(chan chunk, readAheadChunks),
		free:     make(chan []byte, readAheadChunks+2),
		done:     make(chan struct{}),
		finished: make(chan struct{}),
	}
	go ra.fill(src)
	return ra
}

// fill reads whole chunks until the source ends or fails, passing on the
// source's own error (a truncated gzip's io.ErrUnexpectedEOF is not a clean
// io.EOF, and the parsing tells them apart).
func (ra *readAhead) fill(src io.Reader) {
	defer close(ra.finished)
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		default:
			buf = make([]byte, readAheadChunk)
		}
		n, err := 0, error(nil)
		for n < len(buf) && err == nil {
			var m int
			m, err = src.Read(buf[n:])
			n += m
		}
		select {
		case ra.chunks <- chunk{buf[:n], err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.unread) == 0 {
		if ra.cur.err != nil {
			return 0, ra.cur.err
		}
		if ra.cur.data != nil {
			select {
			case ra.free <- ra.cur.data[:cap(ra.cur.data)]:
			default:
			}
		}
		ra.cur = <-ra.chunks
		ra.unread = ra.cur.data
	}
	n := copy(p, ra.unread)
	ra.unread = ra.unread[n:]
	return n, nil
}

// stop ends the goroutine and waits for it, so that the source can be
// closed without it reading.
func (ra *readAhead) stop() {
	close(ra.done)
	<-ra.finished
}

// countingReader counts the bytes taken from the file, for Progress.Bytes;
// the reading goroutine counts while the parsing reports.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
