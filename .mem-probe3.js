const mb=x=>(x/1048576).toFixed(1);
const show=(l)=>{global.gc();const u=process.memoryUsage();console.log(l.padEnd(20),'rss',mb(u.rss),'heapTot',mb(u.heapTotal),'used',mb(u.heapUsed),'ext',mb(u.external),'ab',mb(u.arrayBuffers));};
(async()=>{
show('bare');
const {PrismaPg}=require('@prisma/adapter-pg'); const {Pool}=require('pg');
show('pg');
const {PrismaClient}=require('./.bench-dist/src/generated/prisma/client');
show('client module');
const p=new PrismaClient({adapter:new PrismaPg(new Pool({connectionString:'postgresql://root@127.0.0.1:5432/test'}))});
show('new client');
await p.$queryRawUnsafe('select 1');
show('raw query');
await p.$disconnect();
})();
