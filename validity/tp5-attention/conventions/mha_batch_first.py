# convention: MultiHeadAttention working batch-first (like nn.MultiheadAttention(batch_first=True)): query (B, Lq, E), key/value (B, Lk, E) -> output (B, Lq, E), weights (B, Lq, Lk); three Linears, heads split with view + transpose
# price: Q3=1
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.out_proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, query, key, value, mask=None):
        B, Lq, E = query.shape
        Lk = key.shape[1]
        h, d = self.num_heads, self.head_dim
        q = self.q_proj(query).view(B, Lq, h, d).transpose(1, 2)
        k = self.k_proj(key).view(B, Lk, h, d).transpose(1, 2)
        v = self.v_proj(value).view(B, Lk, h, d).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (B, h, Lq, Lk)
        if mask is not None:
            m = mask if mask.dim() == 2 else mask.unsqueeze(1)
            scores = scores.masked_fill(~m, float("-inf"))
        attn = scores.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(B, Lq, E)
        return self.out_proj(out), attn.mean(dim=1)
