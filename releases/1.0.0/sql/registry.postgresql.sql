-- 本文件由 `govcat generate sql` 生成，请勿手工编辑。
-- 政务数据目录库（PostgreSQL）：提供方名录、更新周期、代码集、数据元、信息资源与信息项。
-- 标准版本 1.0.0，结构版本 9493593a63c0。手工建库：psql -v ON_ERROR_STOP=1 --single-transaction -f registry.postgresql.sql；`govcat load` 会在空库中自动建库。

CREATE TABLE govcat_meta (
    key VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT govcat_meta_pkey PRIMARY KEY (key)
);
COMMENT ON TABLE govcat_meta IS '目录库元数据（标准版本、结构版本）';
COMMENT ON COLUMN govcat_meta.key IS '键';
COMMENT ON COLUMN govcat_meta.value IS '值';

CREATE TABLE update_frequencies (
    value VARCHAR(3) NOT NULL,
    code VARCHAR(64) NOT NULL,
    rank INTEGER NOT NULL,
    max_interval_days INTEGER,
    grace_days INTEGER NOT NULL,
    eu_frequency VARCHAR(64),
    dcmi VARCHAR(64),
    iso8601 VARCHAR(64),
    CONSTRAINT update_frequencies_pkey PRIMARY KEY (value),
    CONSTRAINT update_frequencies_value_check CHECK (value IN ('实时', '每日', '每周', '每月', '每季度', '每半年', '每年', '不定期', '其他'))
);
COMMENT ON TABLE update_frequencies IS '更新周期标准';
COMMENT ON COLUMN update_frequencies.value IS '更新周期';
COMMENT ON COLUMN update_frequencies.code IS '英文代码';
COMMENT ON COLUMN update_frequencies.rank IS '频繁程度排序（越小越频繁）';
COMMENT ON COLUMN update_frequencies.max_interval_days IS '最大更新间隔（天）';
COMMENT ON COLUMN update_frequencies.grace_days IS '宽限天数';
COMMENT ON COLUMN update_frequencies.eu_frequency IS 'DCAT-AP 更新频率';
COMMENT ON COLUMN update_frequencies.dcmi IS 'DCMI 更新频率';
COMMENT ON COLUMN update_frequencies.iso8601 IS 'ISO 8601 重复间隔';

CREATE TABLE departments (
    code VARCHAR(18) NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT,
    level VARCHAR(2) NOT NULL,
    division VARCHAR(6) NOT NULL,
    parent VARCHAR(18),
    CONSTRAINT departments_pkey PRIMARY KEY (code),
    CONSTRAINT departments_level_check CHECK (level IN ('省级', '市级', '县级'))
);
COMMENT ON TABLE departments IS '提供方名录';
COMMENT ON COLUMN departments.code IS '统一社会信用代码';
COMMENT ON COLUMN departments.name IS '部门名称';
COMMENT ON COLUMN departments.short_name IS '简称';
COMMENT ON COLUMN departments.level IS '层级';
COMMENT ON COLUMN departments.division IS '行政区划代码';
COMMENT ON COLUMN departments.parent IS '上级部门代码';

CREATE TABLE code_sets (
    name VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    standard TEXT,
    source TEXT,
    data_vintage TEXT,
    CONSTRAINT code_sets_pkey PRIMARY KEY (name)
);
COMMENT ON TABLE code_sets IS '代码集';
COMMENT ON COLUMN code_sets.name IS '代码集名称';
COMMENT ON COLUMN code_sets.title IS '中文名称';
COMMENT ON COLUMN code_sets.description IS '说明';
COMMENT ON COLUMN code_sets.standard IS '依据标准';
COMMENT ON COLUMN code_sets.source IS '数据来源';
COMMENT ON COLUMN code_sets.data_vintage IS '数据版本';

CREATE TABLE code_values (
    code_set VARCHAR(64) NOT NULL,
    code VARCHAR(64) NOT NULL,
    title TEXT,
    description TEXT,
    deprecated TEXT,
    position INTEGER NOT NULL,
    CONSTRAINT code_values_pkey PRIMARY KEY (code_set, code),
    CONSTRAINT code_values_position_check CHECK (position >= 1)
);
COMMENT ON TABLE code_values IS '代码集的代码值';
COMMENT ON COLUMN code_values.code_set IS '代码集名称';
COMMENT ON COLUMN code_values.code IS '代码';
COMMENT ON COLUMN code_values.title IS '名称';
COMMENT ON COLUMN code_values.description IS '说明';
COMMENT ON COLUMN code_values.deprecated IS '废止说明（空为现行代码）';
COMMENT ON COLUMN code_values.position IS '顺序';

CREATE TABLE data_elements (
    id VARCHAR(7) NOT NULL,
    slot VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    short_name VARCHAR(64),
    description TEXT,
    data_type VARCHAR(1),
    format VARCHAR(32),
    chars VARCHAR(2),
    fixed_length INTEGER,
    max_length INTEGER,
    scale INTEGER,
    code_set VARCHAR(64),
    value_domain TEXT,
    unit TEXT,
    pattern TEXT,
    category TEXT,
    sensitivity TEXT,
    steward TEXT,
    checksum VARCHAR(64),
    status TEXT,
    replaced_by VARCHAR(7),
    CONSTRAINT data_elements_pkey PRIMARY KEY (id),
    CONSTRAINT data_elements_slot_key UNIQUE (slot),
    CONSTRAINT data_elements_data_type_check CHECK (data_type IN ('C', 'N', 'Y', 'D', 'T', 'L', 'M', 'G', 'B', 'I', 'F')),
    CONSTRAINT data_elements_fixed_length_check CHECK (fixed_length >= 1),
    CONSTRAINT data_elements_max_length_check CHECK (max_length >= 1),
    CONSTRAINT data_elements_scale_check CHECK (scale >= 0)
);
COMMENT ON TABLE data_elements IS '数据元';
COMMENT ON COLUMN data_elements.id IS '内部标识符';
COMMENT ON COLUMN data_elements.slot IS '英文名称';
COMMENT ON COLUMN data_elements.title IS '中文名称';
COMMENT ON COLUMN data_elements.short_name IS '标识符（拼音首字母）';
COMMENT ON COLUMN data_elements.description IS '说明';
COMMENT ON COLUMN data_elements.data_type IS '数据类型';
COMMENT ON COLUMN data_elements.format IS '表示格式';
COMMENT ON COLUMN data_elements.chars IS '表示格式的字符类型（a、n、an、c）';
COMMENT ON COLUMN data_elements.fixed_length IS '固定长度';
COMMENT ON COLUMN data_elements.max_length IS '最大长度';
COMMENT ON COLUMN data_elements.scale IS '小数位数';
COMMENT ON COLUMN data_elements.code_set IS '值域代码集';
COMMENT ON COLUMN data_elements.value_domain IS '值域';
COMMENT ON COLUMN data_elements.unit IS '计量单位';
COMMENT ON COLUMN data_elements.pattern IS '正则表达式';
COMMENT ON COLUMN data_elements.category IS '分类';
COMMENT ON COLUMN data_elements.sensitivity IS '敏感级别';
COMMENT ON COLUMN data_elements.steward IS '权威来源部门';
COMMENT ON COLUMN data_elements.checksum IS '校验算法';
COMMENT ON COLUMN data_elements.status IS '状态';
COMMENT ON COLUMN data_elements.replaced_by IS '替代数据元';

CREATE TABLE data_element_aliases (
    element_id VARCHAR(7) NOT NULL,
    alias VARCHAR(200) NOT NULL,
    CONSTRAINT data_element_aliases_pkey PRIMARY KEY (element_id, alias)
);
COMMENT ON TABLE data_element_aliases IS '数据元同义名称';
COMMENT ON COLUMN data_element_aliases.element_id IS '内部标识符';
COMMENT ON COLUMN data_element_aliases.alias IS '同义名称';

CREATE TABLE resources (
    code VARCHAR(16) NOT NULL,
    provider_code VARCHAR(18) NOT NULL,
    name VARCHAR(100) NOT NULL,
    classification_class VARCHAR(6) NOT NULL,
    classification_item VARCHAR(19) NOT NULL,
    internal_department TEXT,
    summary VARCHAR(1000) NOT NULL,
    format_category VARCHAR(5) NOT NULL,
    format_type VARCHAR(10) NOT NULL,
    sharing_type VARCHAR(5) NOT NULL,
    sharing_condition TEXT,
    sharing_basis TEXT,
    sharing_method VARCHAR(4) NOT NULL,
    sharing_method_type VARCHAR(3),
    opening_type VARCHAR(5) NOT NULL,
    opening_condition TEXT,
    update_frequency VARCHAR(3) NOT NULL,
    update_frequency_note TEXT,
    published_on DATE NOT NULL,
    last_updated_on DATE,
    security_level VARCHAR(4),
    source_system TEXT,
    mount_kind VARCHAR(2),
    mount_status VARCHAR(3),
    mount_endpoint TEXT,
    catalog_file TEXT NOT NULL,
    CONSTRAINT resources_pkey PRIMARY KEY (code),
    CONSTRAINT resources_classification_class_check CHECK (classification_class IN ('基础信息资源', '主题信息资源', '部门信息资源')),
    CONSTRAINT resources_classification_item_check CHECK (classification_item IN ('人口', '法人单位', '自然资源和空间地理', '社会信用', '电子证照', '公共服务', '健康保障', '社会保障', '食品药品安全', '安全生产', '价格监管', '能源安全', '信用体系', '城乡建设', '社区治理', '生态环保', '应急维稳', '党中央', '全国人大常委会', '国务院', '全国政协', '最高人民法院', '最高人民检察院', '省（自治区、直辖市）及其下各级政务部门', '计划单列市及其下各级政务部门')),
    CONSTRAINT resources_format_category_check CHECK (format_category IN ('电子文件', '电子表格', '数据库', '图形图像', '流媒体', '自描述格式', '服务接口')),
    CONSTRAINT resources_format_type_check CHECK (format_type IN ('OFD', 'wps', 'xml', 'txt', 'doc', 'docx', 'html', 'pdf', 'ppt', 'et', 'xls', 'xlsx', 'csv', '达梦', 'KingbaseES', 'GBase', 'OceanBase', 'PostgreSQL', 'MySQL', 'Oracle', 'SQL Server', 'DB2', 'jpg', 'png', 'gif', 'bmp', 'tif', 'mp4', 'flv', 'mpg', 'rm', 'swf', 'json', 'REST', 'WebService', '其他')),
    CONSTRAINT resources_sharing_type_check CHECK (sharing_type IN ('无条件共享', '有条件共享', '不予共享')),
    CONSTRAINT resources_sharing_method_check CHECK (sharing_method IN ('共享平台', '邮件', '介质')),
    CONSTRAINT resources_sharing_method_type_check CHECK (sharing_method_type IN ('数据库', '接口', '文件')),
    CONSTRAINT resources_opening_type_check CHECK (opening_type IN ('无条件开放', '有条件开放', '不予开放')),
    CONSTRAINT resources_update_frequency_check CHECK (update_frequency IN ('实时', '每日', '每周', '每月', '每季度', '每半年', '每年', '不定期', '其他')),
    CONSTRAINT resources_security_level_check CHECK (security_level IN ('一般数据', '重要数据', '核心数据')),
    CONSTRAINT resources_mount_kind_check CHECK (mount_kind IN ('库表', '接口', '文件')),
    CONSTRAINT resources_mount_status_check CHECK (mount_status IN ('已挂接', '未挂接'))
);
CREATE INDEX resources_provider_code_idx ON resources (provider_code);
CREATE INDEX resources_catalog_file_idx ON resources (catalog_file);
COMMENT ON TABLE resources IS '信息资源';
COMMENT ON COLUMN resources.code IS '信息资源代码';
COMMENT ON COLUMN resources.provider_code IS '提供方代码';
COMMENT ON COLUMN resources.name IS '信息资源名称';
COMMENT ON COLUMN resources.classification_class IS '资源分类（类）';
COMMENT ON COLUMN resources.classification_item IS '资源分类（项）';
COMMENT ON COLUMN resources.internal_department IS '提供方内部部门';
COMMENT ON COLUMN resources.summary IS '信息资源摘要';
COMMENT ON COLUMN resources.format_category IS '格式分类';
COMMENT ON COLUMN resources.format_type IS '格式类型';
COMMENT ON COLUMN resources.sharing_type IS '共享类型';
COMMENT ON COLUMN resources.sharing_condition IS '共享条件';
COMMENT ON COLUMN resources.sharing_basis IS '不予共享依据';
COMMENT ON COLUMN resources.sharing_method IS '共享方式';
COMMENT ON COLUMN resources.sharing_method_type IS '共享方式类型';
COMMENT ON COLUMN resources.opening_type IS '开放类型';
COMMENT ON COLUMN resources.opening_condition IS '开放条件';
COMMENT ON COLUMN resources.update_frequency IS '更新周期';
COMMENT ON COLUMN resources.update_frequency_note IS '更新周期说明';
COMMENT ON COLUMN resources.published_on IS '发布日期';
COMMENT ON COLUMN resources.last_updated_on IS '最近更新日期';
COMMENT ON COLUMN resources.security_level IS '数据分级';
COMMENT ON COLUMN resources.source_system IS '所属信息系统';
COMMENT ON COLUMN resources.mount_kind IS '挂接方式';
COMMENT ON COLUMN resources.mount_status IS '挂接状态';
COMMENT ON COLUMN resources.mount_endpoint IS '挂接地址';
COMMENT ON COLUMN resources.catalog_file IS '目录文件（相对提供方名录所在目录）';

CREATE TABLE resource_keywords (
    resource_code VARCHAR(16) NOT NULL,
    position INTEGER NOT NULL,
    keyword TEXT NOT NULL,
    CONSTRAINT resource_keywords_pkey PRIMARY KEY (resource_code, position),
    CONSTRAINT resource_keywords_position_check CHECK (position >= 1)
);
COMMENT ON TABLE resource_keywords IS '关键字';
COMMENT ON COLUMN resource_keywords.resource_code IS '信息资源代码';
COMMENT ON COLUMN resource_keywords.position IS '序号';
COMMENT ON COLUMN resource_keywords.keyword IS '关键字';

CREATE TABLE resource_relations (
    resource_code VARCHAR(16) NOT NULL,
    related_code VARCHAR(16) NOT NULL,
    CONSTRAINT resource_relations_pkey PRIMARY KEY (resource_code, related_code)
);
CREATE INDEX resource_relations_related_code_idx ON resource_relations (related_code);
COMMENT ON TABLE resource_relations IS '关联资源代码';
COMMENT ON COLUMN resource_relations.resource_code IS '信息资源代码';
COMMENT ON COLUMN resource_relations.related_code IS '关联资源代码';

CREATE TABLE items (
    resource_code VARCHAR(16) NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    element_id VARCHAR(7),
    data_type VARCHAR(1) NOT NULL,
    length INTEGER,
    precision INTEGER,
    is_key BOOLEAN NOT NULL DEFAULT FALSE,
    sensitive BOOLEAN,
    description TEXT,
    CONSTRAINT items_pkey PRIMARY KEY (resource_code, position),
    CONSTRAINT items_resource_code_name_key UNIQUE (resource_code, name),
    CONSTRAINT items_position_check CHECK (position >= 1),
    CONSTRAINT items_data_type_check CHECK (data_type IN ('C', 'N', 'Y', 'D', 'T', 'L', 'M', 'G', 'B', 'I', 'F')),
    CONSTRAINT items_length_check CHECK (length >= 1),
    CONSTRAINT items_precision_check CHECK (precision >= 0)
);
CREATE INDEX items_element_id_idx ON items (element_id);
COMMENT ON TABLE items IS '信息项';
COMMENT ON COLUMN items.resource_code IS '信息资源代码';
COMMENT ON COLUMN items.position IS '序号';
COMMENT ON COLUMN items.name IS '信息项名称';
COMMENT ON COLUMN items.element_id IS '关联数据元';
COMMENT ON COLUMN items.data_type IS '数据类型';
COMMENT ON COLUMN items.length IS '数据长度';
COMMENT ON COLUMN items.precision IS '小数位数';
COMMENT ON COLUMN items.is_key IS '是否主键';
COMMENT ON COLUMN items.sensitive IS '敏感属性';
COMMENT ON COLUMN items.description IS '说明';

CREATE TABLE catalog_files (
    catalog_file VARCHAR(1024) NOT NULL,
    provider_code VARCHAR(18),
    digest VARCHAR(40) NOT NULL,
    CONSTRAINT catalog_files_pkey PRIMARY KEY (catalog_file)
);
COMMENT ON TABLE catalog_files IS '已装入的目录文件（增量装入：内容未变的文件不重写）';
COMMENT ON COLUMN catalog_files.catalog_file IS '目录文件（相对提供方名录所在目录）';
COMMENT ON COLUMN catalog_files.provider_code IS '提供方代码';
COMMENT ON COLUMN catalog_files.digest IS '文件内容与装入格式的摘要（BLAKE2b）';

CREATE TABLE metric_snapshots (
    as_of DATE NOT NULL,
    git_commit VARCHAR(64) NOT NULL,
    provider_code VARCHAR(18) NOT NULL,
    department_name TEXT NOT NULL,
    resources INTEGER NOT NULL,
    items INTEGER NOT NULL,
    mapping_numerator INTEGER NOT NULL,
    mapping_denominator INTEGER NOT NULL,
    mount_numerator INTEGER NOT NULL,
    mount_denominator INTEGER NOT NULL,
    sharing_numerator INTEGER NOT NULL,
    sharing_denominator INTEGER NOT NULL,
    opening_numerator INTEGER NOT NULL,
    opening_denominator INTEGER NOT NULL,
    timeliness_numerator INTEGER NOT NULL,
    timeliness_denominator INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    infos INTEGER NOT NULL,
    data_quality DOUBLE PRECISION,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT metric_snapshots_pkey PRIMARY KEY (as_of, git_commit, provider_code),
    CONSTRAINT metric_snapshots_resources_check CHECK (resources >= 0),
    CONSTRAINT metric_snapshots_items_check CHECK (items >= 0),
    CONSTRAINT metric_snapshots_mapping_numerator_check CHECK (mapping_numerator >= 0),
    CONSTRAINT metric_snapshots_mapping_denominator_check CHECK (mapping_denominator >= 0),
    CONSTRAINT metric_snapshots_mount_numerator_check CHECK (mount_numerator >= 0),
    CONSTRAINT metric_snapshots_mount_denominator_check CHECK (mount_denominator >= 0),
    CONSTRAINT metric_snapshots_sharing_numerator_check CHECK (sharing_numerator >= 0),
    CONSTRAINT metric_snapshots_sharing_denominator_check CHECK (sharing_denominator >= 0),
    CONSTRAINT metric_snapshots_opening_numerator_check CHECK (opening_numerator >= 0),
    CONSTRAINT metric_snapshots_opening_denominator_check CHECK (opening_denominator >= 0),
    CONSTRAINT metric_snapshots_timeliness_numerator_check CHECK (timeliness_numerator >= 0),
    CONSTRAINT metric_snapshots_timeliness_denominator_check CHECK (timeliness_denominator >= 0),
    CONSTRAINT metric_snapshots_errors_check CHECK (errors >= 0),
    CONSTRAINT metric_snapshots_warnings_check CHECK (warnings >= 0),
    CONSTRAINT metric_snapshots_infos_check CHECK (infos >= 0)
);
CREATE INDEX metric_snapshots_provider_code_as_of_idx ON metric_snapshots (provider_code, as_of);
COMMENT ON TABLE metric_snapshots IS '合规指标快照（每次装入记录一次：判定日期、提交、部门）';
COMMENT ON COLUMN metric_snapshots.as_of IS '判定日期';
COMMENT ON COLUMN metric_snapshots.git_commit IS '目录仓库的 git 提交（不在 git 仓库中时为空字符串）';
COMMENT ON COLUMN metric_snapshots.provider_code IS '提供方代码';
COMMENT ON COLUMN metric_snapshots.department_name IS '部门名称（快照时）';
COMMENT ON COLUMN metric_snapshots.resources IS '信息资源数';
COMMENT ON COLUMN metric_snapshots.items IS '信息项数';
COMMENT ON COLUMN metric_snapshots.mapping_numerator IS '数据元映射率的分子';
COMMENT ON COLUMN metric_snapshots.mapping_denominator IS '数据元映射率的分母';
COMMENT ON COLUMN metric_snapshots.mount_numerator IS '挂接率的分子';
COMMENT ON COLUMN metric_snapshots.mount_denominator IS '挂接率的分母';
COMMENT ON COLUMN metric_snapshots.sharing_numerator IS '共享率的分子';
COMMENT ON COLUMN metric_snapshots.sharing_denominator IS '共享率的分母';
COMMENT ON COLUMN metric_snapshots.opening_numerator IS '开放率的分子';
COMMENT ON COLUMN metric_snapshots.opening_denominator IS '开放率的分母';
COMMENT ON COLUMN metric_snapshots.timeliness_numerator IS '更新及时率的分子';
COMMENT ON COLUMN metric_snapshots.timeliness_denominator IS '更新及时率的分母';
COMMENT ON COLUMN metric_snapshots.errors IS '错误数';
COMMENT ON COLUMN metric_snapshots.warnings IS '警告数';
COMMENT ON COLUMN metric_snapshots.infos IS '提示数';
COMMENT ON COLUMN metric_snapshots.data_quality IS '数据质量（govcat data check 记录的得分均值，0–1；未检查为空）';
COMMENT ON COLUMN metric_snapshots.recorded_at IS '记录时间（UTC）';

-- 外键：建表之后添加（首次装入时在数据写入之后添加，每个外键整体校验一次）
ALTER TABLE code_values ADD CONSTRAINT code_values_code_set_fkey FOREIGN KEY (code_set) REFERENCES code_sets (name) ON DELETE CASCADE;
ALTER TABLE data_elements ADD CONSTRAINT data_elements_code_set_fkey FOREIGN KEY (code_set) REFERENCES code_sets (name);
ALTER TABLE data_elements ADD CONSTRAINT data_elements_replaced_by_fkey FOREIGN KEY (replaced_by) REFERENCES data_elements (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE data_element_aliases ADD CONSTRAINT data_element_aliases_element_id_fkey FOREIGN KEY (element_id) REFERENCES data_elements (id) ON DELETE CASCADE;
ALTER TABLE resources ADD CONSTRAINT resources_provider_code_fkey FOREIGN KEY (provider_code) REFERENCES departments (code) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE resources ADD CONSTRAINT resources_update_frequency_fkey FOREIGN KEY (update_frequency) REFERENCES update_frequencies (value) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE resource_keywords ADD CONSTRAINT resource_keywords_resource_code_fkey FOREIGN KEY (resource_code) REFERENCES resources (code) ON DELETE CASCADE;
ALTER TABLE resource_relations ADD CONSTRAINT resource_relations_resource_code_fkey FOREIGN KEY (resource_code) REFERENCES resources (code) ON DELETE CASCADE;
ALTER TABLE resource_relations ADD CONSTRAINT resource_relations_related_code_fkey FOREIGN KEY (related_code) REFERENCES resources (code) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE items ADD CONSTRAINT items_resource_code_fkey FOREIGN KEY (resource_code) REFERENCES resources (code) ON DELETE CASCADE;
ALTER TABLE items ADD CONSTRAINT items_element_id_fkey FOREIGN KEY (element_id) REFERENCES data_elements (id) DEFERRABLE INITIALLY DEFERRED;

INSERT INTO govcat_meta (key, value) VALUES
    ('schema_version', '9493593a63c0'),
    ('standard_version', '1.0.0');
