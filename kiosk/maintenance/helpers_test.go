package maintenance

import "github.com/absher-kiosk/kiosk/sync/api"

func apiText(ar, en string) api.Text { return api.Text{AR: ar, EN: en} }
