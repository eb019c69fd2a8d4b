package assets

import (
	"bytes"
	"encoding/binary"
	"flag"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// The favicon is fimdb's own mark: a frame of film with a play sign on the
// app's primary colour. static/favicon.svg draws it; static/favicon.ico is
// drawn here from the same shapes (in the SVG's 32-unit square) and
// committed: `go test ./assets -run TestFaviconICO -update` rewrites it.
var update = flag.Bool("update", false, "rewrite static/favicon.ico from the drawing in favicon_test.go")

var (
	primary = color.NRGBA{0x67, 0x50, 0xa4, 0xff} // Beer CSS's light --primary
	white   = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	icoSize = []int{16, 32, 48}
)

// markAt is the colour of the mark at (x, y) in units of the 32-unit square.
func markAt(x, y float64) color.NRGBA {
	if !inRoundedRect(x, y, 0, 0, 32, 32, 7) {
		return color.NRGBA{}
	}
	if !inRoundedRect(x, y, 5, 7, 22, 18, 2.5) {
		return primary
	}
	for hx := 7.0; hx <= 23; hx += 4 { // the sprocket holes, top and bottom
		if x >= hx && x < hx+2 && ((y >= 8.5 && y < 10.5) || (y >= 21.5 && y < 23.5)) {
			return primary
		}
	}
	if x >= 13.5 && x <= 20.5 && y >= 12+(x-13.5)*4/7 && y <= 20-(x-13.5)*4/7 { // the play sign
		return primary
	}
	return white
}

func inRoundedRect(x, y, left, top, w, h, r float64) bool {
	if x < left || y < top || x >= left+w || y >= top+h {
		return false
	}
	cx := min(max(x, left+r), left+w-r)
	cy := min(max(y, top+r), top+h-r)
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

// drawMark renders the mark at size×size pixels, 8×8 samples per pixel.
func drawMark(size int) *image.NRGBA {
	const n = 8
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	unit := 32 / float64(size)
	for py := range size {
		for px := range size {
			var r, g, b, a float64
			for sy := range n {
				for sx := range n {
					c := markAt((float64(px)+(float64(sx)+.5)/n)*unit, (float64(py)+(float64(sy)+.5)/n)*unit)
					al := float64(c.A) / 255
					r, g, b, a = r+float64(c.R)*al, g+float64(c.G)*al, b+float64(c.B)*al, a+al
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(r/a + .5), uint8(g/a + .5), uint8(b/a + .5), uint8(a/(n*n)*255 + .5)})
		}
	}
	return img
}

// encodeICO wraps PNGs in an ICO file (PNG entries: Windows Vista and later,
// and every browser).
func encodeICO(t *testing.T, images []*image.NRGBA) []byte {
	t.Helper()
	var pngs [][]byte
	for _, img := range images {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		pngs = append(pngs, b.Bytes())
	}
	var out bytes.Buffer
	le := func(v any) { binary.Write(&out, binary.LittleEndian, v) }
	le([3]uint16{0, 1, uint16(len(pngs))}) // reserved, type 1 (icon), count
	offset := 6 + 16*len(pngs)
	for i, p := range pngs {
		size := uint8(images[i].Bounds().Dx()) // 0 would mean 256
		le([4]uint8{size, size, 0, 0})         // width, height, palette size, reserved
		le([2]uint16{1, 32})                   // colour planes, bits per pixel
		le([2]uint32{uint32(len(p)), uint32(offset)})
		offset += len(p)
	}
	for _, p := range pngs {
		out.Write(p)
	}
	return out.Bytes()
}

// decodeICO returns the PNG images of an ICO file.
func decodeICO(t *testing.T, data []byte) []image.Image {
	t.Helper()
	if len(data) < 6 || binary.LittleEndian.Uint16(data[2:]) != 1 {
		t.Fatal("favicon.ico is not an icon file")
	}
	var out []image.Image
	for i := range int(binary.LittleEndian.Uint16(data[4:])) {
		e := data[6+16*i:]
		size, offset := binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
		img, err := png.Decode(bytes.NewReader(data[offset : offset+size]))
		if err != nil {
			t.Fatalf("icon %d: %v", i, err)
		}
		if w := int(e[0]); img.Bounds().Dx() != w || img.Bounds().Dy() != w {
			t.Errorf("icon %d: directory says %d px, PNG is %v", i, w, img.Bounds())
		}
		out = append(out, img)
	}
	return out
}

func TestFaviconICO(t *testing.T) {
	var want []*image.NRGBA
	for _, s := range icoSize {
		want = append(want, drawMark(s))
	}
	if *update {
		if err := os.WriteFile("static/favicon.ico", encodeICO(t, want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("static/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	got := decodeICO(t, data)
	if len(got) != len(want) {
		t.Fatalf("favicon.ico holds %d icons, the drawing %d: go test ./assets -run TestFaviconICO -update", len(got), len(want))
	}
	for i, img := range got {
		for y := range want[i].Bounds().Dy() {
			for x := range want[i].Bounds().Dx() {
				if g := color.NRGBAModel.Convert(img.At(x, y)); g != want[i].NRGBAAt(x, y) {
					t.Fatalf("favicon.ico's %d px icon differs from the drawing at (%d,%d): go test ./assets -run TestFaviconICO -update", icoSize[i], x, y)
				}
			}
		}
	}
	// The corners are transparent, the middle of an edge is the primary colour.
	big := want[len(want)-1]
	if big.NRGBAAt(0, 0).A != 0 || big.NRGBAAt(24, 1) != primary {
		t.Errorf("the drawing lost its shape: corner %v, top edge %v", big.NRGBAAt(0, 0), big.NRGBAAt(24, 1))
	}
}

func TestFaviconSVG(t *testing.T) {
	data, err := fs.ReadFile(Static(), "favicon.svg")
	if err != nil {
		t.Fatal(err)
	}
	svg := string(data)
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">`) || !strings.Contains(svg, `fill="#6750a4"`) {
		t.Errorf("favicon.svg: %s", svg)
	}
}
