//! The name tables of the generated companies: fictional brands and qualifiers, what a name says
//! a company does, and its service lines named for a description.

use crate::domain::ServiceLine;

/// Fictional brand syllables for generated companies: English, Chinese.
pub const BRANDS: [(&str, &str); 40] = [
    ("Xinrui", "鑫瑞"),
    ("Huayu", "华宇"),
    ("Jinfeng", "金丰"),
    ("Ruixiang", "瑞祥"),
    ("Tianyi", "天翼"),
    ("Bochuang", "博创"),
    ("Zhiyuan", "致远"),
    ("Hengtong", "恒通"),
    ("Yunfan", "云帆"),
    ("Kaida", "凯达"),
    ("Mingde", "明德"),
    ("Shengtai", "盛泰"),
    ("Lianchuang", "联创"),
    ("Haoyun", "浩云"),
    ("Jiahe", "嘉禾"),
    ("Qixin", "启信"),
    ("Yuanhang", "远航"),
    ("Chenguang", "晨光"),
    ("Xinghe", "星河"),
    ("Weilan", "蔚蓝"),
    ("Zhongrui", "众瑞"),
    ("Dingsheng", "鼎盛"),
    ("Anyuan", "安远"),
    ("Huachen", "华辰"),
    ("Jingwei", "经纬"),
    ("Ruitai", "瑞泰"),
    ("Yinghe", "盈合"),
    ("Baixin", "百信"),
    ("Tongda", "通达"),
    ("Hongyu", "宏宇"),
    ("Lingyun", "凌云"),
    ("Xunjie", "迅捷"),
    ("Guanghui", "光辉"),
    ("Shuoxin", "硕鑫"),
    ("Yuefeng", "岳峰"),
    ("Kunpeng", "鲲鹏"),
    ("Jiuzhou", "九州"),
    ("Ruizhi", "睿智"),
    ("Fanxing", "繁星"),
    ("Qiming", "启明"),
];

/// A second word that widens the space of generated names: English, Chinese.
pub(super) const QUALIFIERS: [(&str, &str); 12] = [
    ("Cloud", "云"),
    ("Smart", "智"),
    ("Bridge", "桥"),
    ("Star", "星"),
    ("Link", "联"),
    ("Net", "网"),
    ("Wise", "慧"),
    ("Sky", "天"),
    ("Harbour", "港"),
    ("Peak", "峰"),
    ("Bright", "明"),
    ("Grand", "宏"),
];

/// What a generated company's name says it does, by family: English, Chinese.
pub(super) fn trade(line: ServiceLine) -> (&'static str, &'static str) {
    use ServiceLine::*;
    match line {
        SoftwareDevelopment | SoftwareTesting => ("Software", "软件"),
        ItOperations | SystemIntegration | InformationSecurity => {
            ("Information Technology", "信息技术")
        }
        DataProcessing | DataAnalytics => ("Data Services", "数据服务"),
        CallCentre => ("Customer Contact", "客户联络"),
        HumanResources => ("Human Resources Services", "人力资源服务"),
        FinanceAndAccounting => ("Financial Outsourcing", "财务外包"),
        SupplyChain => ("Supply Chain Services", "供应链服务"),
        ResearchAndDevelopment | MedicalAndPharmaResearch => ("R&D Services", "研发服务"),
        EngineeringDesign => ("Engineering Design", "工程设计"),
        AnimationAndCreativeDesign => ("Animation", "动漫"),
    }
}

/// Service lines named for a description: in English and in Chinese.
pub(super) fn line_names(lines: &[ServiceLine]) -> (String, String) {
    let en: Vec<&str> = lines.iter().map(|l| l.name_en()).collect();
    let zh: Vec<&str> = lines.iter().map(|l| l.name_zh()).collect();
    (en.join(", "), zh.join("、"))
}
