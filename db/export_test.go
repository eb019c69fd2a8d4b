package db

import "context"

var bgCtx = context.Background()
