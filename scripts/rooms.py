# The map of imports between src/'s top-level rooms: how many arrows, and
# each circle (a strongly connected set of rooms) with its arrows.
#   python3 scripts/rooms.py
import os,re,sys,collections
src=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')
rooms=set()
for f in os.listdir(src):
    if f.endswith('.rs') and f not in ('lib.rs','main.rs'): rooms.add(f[:-3])
    elif os.path.isdir(os.path.join(src,f)): rooms.add(f)
def files(room):
    out=[]
    p=os.path.join(src,room+'.rs')
    if os.path.exists(p): out.append(p)
    d=os.path.join(src,room)
    for root,_,fs in os.walk(d):
        for x in fs:
            if x.endswith('.rs'): out.append(os.path.join(root,x))
    return out
edges=collections.defaultdict(set)
for r in rooms:
    for f in files(r):
        # skip unit-test files
        text=open(f).read()
        if '/tests' in f or f.endswith('tests.rs') or f.endswith('tests_support.rs'): continue
        # drop #[cfg(test)] mod tests { ... } blocks crudely
        text=re.split(r"\n#\[cfg\(test\)\]\nmod tests \{", text)[0]
        for line in text.split('\n'):
            code=line.split('//')[0]
            for m in re.finditer(r"crate::([a-z_]+)", code):
                t=m.group(1)
                if t in rooms and t!=r: edges[r].add(t)
# SCCs (Tarjan)
index={};low={};stack=[];on=set();sccs=[];i=[0]
def strong(v):
    index[v]=low[v]=i[0];i[0]+=1;stack.append(v);on.add(v)
    for w in edges[v]:
        if w not in index: strong(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],index[w])
    if low[v]==index[v]:
        comp=[]
        while True:
            w=stack.pop();on.discard(w);comp.append(w)
            if w==v: break
        if len(comp)>1: sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(rooms):
    if v not in index: strong(v)
print("rooms",len(rooms),"arrows",sum(len(v) for v in edges.values()))
for c in sccs: print("circle:",c)
for c in sccs:
    for a in c:
        for b in sorted(edges[a]&set(c)): print("  ",a,"->",b)

# Floors: a room's floor is one above the highest room it names (words,
# which name nothing, are floor 0). Printed top floor first.
floor = {}
def depth(r, seen=()):
    if r in floor: return floor[r]
    if r in seen: return 0
    d = 0
    for t in edges[r]:
        d = max(d, depth(t, seen + (r,)) + 1)
    floor[r] = d
    return d
for r in rooms: depth(r)
for f in sorted(set(floor.values()), reverse=True):
    print(f"floor {f}:", " ".join(sorted(r for r in rooms if floor[r] == f)))
