package emulator

import "github.com/absher-kiosk/kiosk/devices/printer/escpos"

// code128Widths are the bar/space module widths of Code 128 values 0..106
// (106 is the stop pattern with its final bar).
var code128Widths = [107]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

const code128StartB = 104

// Code128Values is the symbol for data in code set B: start, data,
// check value, stop.
func Code128Values(data string) []int {
	v := []int{code128StartB}
	sum := code128StartB
	for i := 0; i < len(data); i++ {
		c := int(data[i]) - 32
		v = append(v, c)
		sum += c * (i + 1)
	}
	return append(v, sum%103, 106)
}

// Code128Bars draws data as bars with modules of mw dots, h dots high,
// with a ten-module quiet zone each side.
func Code128Bars(data string, mw, h int) escpos.Bitmap {
	var widths []int
	for _, v := range Code128Values(data) {
		for _, c := range code128Widths[v] {
			widths = append(widths, int(c-'0'))
		}
	}
	total := 20
	for _, w := range widths {
		total += w
	}
	bm := escpos.NewBitmap(total*mw, h)
	x := 10 * mw
	for i, w := range widths {
		if i%2 == 0 {
			for dx := 0; dx < w*mw; dx++ {
				for y := 0; y < h; y++ {
					bm.Set(x+dx, y)
				}
			}
		}
		x += w * mw
	}
	return bm
}
